/**
 * The Create form: two frame slots, the prompt and the duration, and whether it can be sent (and if
 * not, why). Lives outside the screen so it survives navigation and overlays. Main does the
 * inspecting and fixing; this keeps what the user sees in step with it.
 */
import type { FixKind, Frame, FrameIntegrityEvent, FrameRole, HeadVerdict, QueueItem, SubmitProgress } from '$contract';
import { HEAD_SAMPLE_BYTES } from '$contract/frames';
import { defaultDurationFromSchema, promptRequired, promptTokens } from '$contract/model';
import { bridge, call } from '../lib/bridge';
import { toBase64 } from '../lib/bytes';
import type { CreateHandoff } from './handoff.svelte';
import { navigation } from './navigation.svelte';
import { settings } from './settings.svelte';
import { handleError, toasts } from './toasts.svelte';

export type Duration = 5 | 10;

export type Slot =
  | { status: 'empty' }
  | {
      status: 'loading';
      label: string;
      /** Main's verdict from the file's first bytes, shown while the rest is on its way. */
      verdict?: NonNullable<HeadVerdict>;
    }
  | { status: 'error'; message: string; name?: string }
  | {
      status: 'ready';
      frame: Frame;
      /** The fix being written, if any. */
      fixing?: FixKind;
      /** Frames this one was fixed from, newest last, for "Undo fix". */
      history: Frame[];
    };

export interface CreateRequest {
  prompt: string;
  duration: Duration;
  start: Frame;
  end: Frame;
}

export const roleNames: Record<FrameRole, string> = { start: 'start frame', end: 'end frame' };
const withArticle: Record<FrameRole, string> = { start: 'a start frame', end: 'an end frame' };
export const roleToken: Record<FrameRole, string> = Object.fromEntries(promptTokens.map(({ token, role }) => [role, token])) as Record<
  FrameRole,
  string
>;

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Why one slot keeps the form from being sent, or undefined when it is ready. */
function slotProblem(role: FrameRole, slot: Slot): string | undefined {
  const name = roleNames[role];
  switch (slot.status) {
    case 'empty':
      return `Add ${withArticle[role]}.`;
    case 'loading':
      return `Reading the ${name}…`;
    case 'error':
      return `${capitalised(name)}: ${slot.message}`;
    case 'ready': {
      if (slot.fixing) return `Fixing the ${name}…`;
      const failing = slot.frame.checks.find((check) => !check.pass);
      if (failing) return `${capitalised(name)}: ${failing.message} (${failing.detail})`;
      if (slot.frame.integrity === 'pending') return `Checking every pixel of the ${name}…`;
      if (slot.frame.integrity === 'corrupt') return `${capitalised(name)}: ${slot.frame.integrityMessage ?? 'the image is damaged.'}`;
      return undefined;
    }
  }
}

export class CreateForm {
  #slots = $state<Record<FrameRole, Slot>>({ start: { status: 'empty' }, end: { status: 'empty' } });
  #prompt = $state('');
  #sending = $state<SubmitProgress | undefined>();
  /** Set by a "re-run exactly" hand-off until the job has been sent. */
  #autoSubmit = false;
  #duration = $state<Duration | undefined>();
  /** Bumped on every change to a slot, so an answer that arrives after a newer pick is dropped. */
  #generation: Record<FrameRole, number> = { start: 0, end: 0 };
  /** Integrity verdicts that arrived before the frame they are about. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a buffer, never rendered
  #earlyIntegrity = new Map<string, FrameIntegrityEvent>();

  readonly blockingReason = $derived.by(() => {
    for (const role of ['start', 'end'] as const) {
      const problem = slotProblem(role, this.#slots[role]);
      if (problem) return problem;
    }
    if (promptRequired && this.#prompt.trim() === '') return 'Write a prompt.';
    return undefined;
  });

  readonly canSubmit = $derived(this.blockingReason === undefined);

  /** Swapping is for settled slots: a frame still arriving or being fixed belongs to its slot. */
  readonly canSwap = $derived.by(() => {
    const slots = [this.#slots.start, this.#slots.end];
    return (
      slots.some((slot) => slot.status !== 'empty') &&
      !slots.some((slot) => slot.status === 'loading' || (slot.status === 'ready' && slot.fixing))
    );
  });

  get slots(): Readonly<Record<FrameRole, Slot>> {
    return this.#slots;
  }

  get prompt(): string {
    return this.#prompt;
  }
  set prompt(value: string) {
    this.#prompt = value;
  }

  /** The user's choice, else the settings default, else the schema's. */
  get duration(): Duration {
    return this.#duration ?? settings.value?.defaultDuration ?? (defaultDurationFromSchema as Duration);
  }
  set duration(value: Duration) {
    this.#duration = value;
  }

  /** Opens the system file dialog for a slot. */
  async pick(role: FrameRole): Promise<void> {
    // No loading state while the dialog is up: the current frame stays until a new one is chosen.
    await this.#load(role, undefined, () => call(bridge().frames.pick(role)));
  }

  /**
   * A dropped, pasted or chosen file. A large one goes in two steps so the verdict shows at once:
   * its first bytes for the checks, then the whole file for the staged copy.
   */
  async addFile(role: FrameRole, file: File): Promise<void> {
    const whole = async () => this.#sendBytes(file.name, new Uint8Array(await file.arrayBuffer()));
    if (file.size <= 2 * HEAD_SAMPLE_BYTES) {
      await this.#load(role, `Reading ${file.name}…`, whole);
      return;
    }
    // The head goes first and alone: behind megabytes of file on the same channel it would not be instant.
    // (No local preview meanwhile: decoding a large image on the page delays the verdict by 150 ms or more.)
    const headFirst = async () => {
      try {
        const head = new Uint8Array(await file.slice(0, HEAD_SAMPLE_BYTES).arrayBuffer());
        return (await call(bridge().frames.inspectHead({ size: file.size, head: toBase64(head) }))) ?? undefined;
      } catch {
        return undefined; // the whole file's answer will say what is wrong
      }
    };
    await this.#load(role, `Copying ${file.name}…`, whole, headFirst);
  }

  async addBytes(role: FrameRole, name: string, bytes: Uint8Array): Promise<void> {
    await this.#load(role, `Reading ${name}…`, () => this.#sendBytes(name, bytes));
  }

  async addUrl(role: FrameRole, url: string): Promise<void> {
    await this.#load(role, 'Downloading the image…', () => call(bridge().frames.addUrl({ url })));
  }

  async fix(role: FrameRole, kind: FixKind): Promise<void> {
    const slot = this.#slots[role];
    if (slot.status !== 'ready' || slot.fixing) return;
    const generation = ++this.#generation[role];
    this.#slots[role] = { ...slot, fixing: kind };
    try {
      const fixed = this.#withIntegrity(await call(bridge().frames.fix({ id: slot.frame.id, kind })));
      if (generation !== this.#generation[role]) return;
      this.#slots[role] = { status: 'ready', frame: fixed, history: [...slot.history, slot.frame] };
    } catch (error) {
      if (generation !== this.#generation[role]) return;
      this.#slots[role] = { ...slot, fixing: undefined };
      toasts.show(`Could not fix the ${roleNames[role]}: ${error instanceof Error ? error.message : String(error)}`, 'error');
    }
  }

  /** Goes back to the frame before the last fix. */
  undoFix(role: FrameRole): void {
    const slot = this.#slots[role];
    if (slot.status !== 'ready' || slot.history.length === 0 || slot.fixing) return;
    this.#generation[role]++;
    this.#slots[role] = { status: 'ready', frame: slot.history.at(-1)!, history: slot.history.slice(0, -1) };
  }

  clear(role: FrameRole): void {
    this.#generation[role]++;
    this.#slots[role] = { status: 'empty' };
  }

  swap(): void {
    if (!this.canSwap) return;
    const { start, end } = this.#slots;
    this.#generation.start++;
    this.#generation.end++;
    this.#slots = { start: end, end: start };
  }

  /**
   * Fills the form from another place (the library's re-run, edit, or continue from the last frame).
   * "Re-run exactly" asks for `autoSubmit`: the job is sent as soon as both frames pass their checks.
   */
  async receive(item: CreateHandoff): Promise<void> {
    if (item.prompt !== undefined) this.#prompt = item.prompt;
    if (item.duration !== undefined) this.#duration = item.duration;
    this.#autoSubmit = !!item.autoSubmit;
    await Promise.all(
      (['start', 'end'] as const).map((role) => {
        const frame = item[role];
        return frame ? this.addBytes(role, frame.name, frame.bytes) : undefined;
      }),
    );
    this.#submitIfAsked();
  }

  #submitIfAsked(): void {
    if (this.#autoSubmit && this.canSubmit) void this.submit();
  }

  /** Keeps integrity verdicts from main's background decode in step; returns the unsubscribe. */
  listen(): () => void {
    return bridge().on.framesIntegrity((event) => {
      let applied = false;
      for (const role of ['start', 'end'] as const) {
        const slot = this.#slots[role];
        if (slot.status !== 'ready') continue;
        if (slot.frame.id === event.id) {
          this.#slots[role] = { ...slot, frame: applyIntegrity(slot.frame, event) };
          applied = true;
        }
        if (slot.history.some((frame) => frame.id === event.id)) {
          this.#slots[role] = {
            ...slot,
            history: slot.history.map((frame) => (frame.id === event.id ? applyIntegrity(frame, event) : frame)),
          };
          applied = true;
        }
      }
      if (applied) this.#submitIfAsked();
      if (!applied) {
        this.#earlyIntegrity.set(event.id, event);
        if (this.#earlyIntegrity.size > 50) this.#earlyIntegrity.delete(this.#earlyIntegrity.keys().next().value!);
      }
    });
  }

  get request(): CreateRequest | undefined {
    const { start, end } = this.#slots;
    if (!this.canSubmit || start.status !== 'ready' || end.status !== 'ready') return undefined;
    return { prompt: this.#prompt.trim(), duration: this.duration, start: start.frame, end: end.frame };
  }

  /** While a job is being sent: what is happening, for the submit bar. */
  get sending(): SubmitProgress | undefined {
    return this.#sending;
  }

  /** Sends the form as a job. The form stays filled, so a variation is one edit away. */
  async submit(): Promise<void> {
    const request = this.request;
    if (!request || this.#sending) return;
    this.#autoSubmit = false;
    this.#sending = { phase: 'checking', fraction: 0, message: 'Checking the frames…' };
    const stop = bridge().on.jobsSubmitProgress((progress) => {
      if (this.#sending) this.#sending = progress;
    });
    try {
      const item = await submitJob(request);
      const where = item.queuePosition !== undefined ? ` It is number ${item.queuePosition + 1} in line.` : '';
      toasts.show(`Sent to RunComfy.${where} Follow it in the Queue.`, 'info', 6000, {
        label: 'Open Queue',
        run: () => navigation.go('queue'),
      });
    } catch (error) {
      handleError(error, 'The job was not sent');
    } finally {
      stop();
      this.#sending = undefined;
    }
  }

  async #sendBytes(name: string, bytes: Uint8Array): Promise<Frame> {
    return call(bridge().frames.addBytes({ name: name.slice(0, 255) || 'image', data: toBase64(bytes) }));
  }

  async #load(
    role: FrameRole,
    label: string | undefined,
    work: () => Promise<Frame | null>,
    headFirst?: () => Promise<HeadVerdict | undefined>,
  ): Promise<void> {
    const generation = ++this.#generation[role];
    const before = this.#slots[role];
    if (label) this.#slots[role] = { status: 'loading', label };
    try {
      const verdict = await headFirst?.();
      const slot = this.#slots[role];
      if (generation !== this.#generation[role]) return;
      if (verdict && slot.status === 'loading') {
        this.#slots[role] = { ...slot, verdict };
        await afterPaint(); // show the verdict before the heavy work of sending the whole file
      }
      const frame = await work();
      if (generation !== this.#generation[role]) return;
      this.#slots[role] = frame ? { status: 'ready', frame: this.#withIntegrity(frame), history: [] } : before;
    } catch (error) {
      if (generation !== this.#generation[role]) return;
      const message = error instanceof Error ? error.message : String(error);
      if (before.status === 'ready') {
        // Bad input must not cost the frame that was there: keep it and say what went wrong.
        this.#slots[role] = before;
        toasts.show(`The ${roleNames[role]} was not replaced. ${message}`, 'error');
      } else {
        this.#slots[role] = { status: 'error', message };
      }
    }
  }

  #withIntegrity(frame: Frame): Frame {
    const early = this.#earlyIntegrity.get(frame.id);
    if (!early) return frame;
    this.#earlyIntegrity.delete(frame.id);
    return applyIntegrity(frame, early);
  }
}

/** Resolves once the browser has painted the current state (at once where there is no painting, as in tests). */
function afterPaint(): Promise<void> {
  if (typeof requestAnimationFrame !== 'function' || document.hidden) return Promise.resolve();
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

function applyIntegrity(frame: Frame, event: FrameIntegrityEvent): Frame {
  return { ...frame, integrity: event.integrity, ...(event.message ? { integrityMessage: event.message } : {}) };
}

/** Hands a finished form to main's job runner. */
export function submitJob(request: CreateRequest): Promise<QueueItem> {
  return call(
    bridge().jobs.submit({
      prompt: request.prompt,
      duration: request.duration,
      startFrameId: request.start.id,
      endFrameId: request.end.id,
    }),
  );
}

export const create = new CreateForm();

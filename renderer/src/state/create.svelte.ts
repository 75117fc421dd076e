/**
 * The Create form: two frame slots, the prompt and the duration, and whether it can be sent (and if
 * not, why). Lives outside the screen so it survives navigation and overlays. Main does the
 * inspecting and fixing; this keeps what the user sees in step with it.
 */
import type { FixKind, Frame, FrameRole, QueueItem, SubmitProgress } from '$contract';
import { defaultDurationFromSchema, promptRequired, promptTokens } from '$contract/model';
import { bridge, call } from '../lib/bridge';
import { FrameSlots } from './frame-slots.svelte';
import type { Slot } from './frame-slots.svelte';
import type { CreateHandoff } from './handoff.svelte';
import { navigation } from './navigation.svelte';
import { queue } from './queue.svelte';
import { settings } from './settings.svelte';
import { handleError, toasts } from './toasts.svelte';

export type Duration = 5 | 10;

export type { Slot };

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

/** Why Make video waits while another process holds the library. */
export const READ_ONLY_REASON = 'Nothing is sent until the library is free.';

export class CreateForm {
  /** The start and end frames; the frame slot components work on these. */
  readonly frames = new FrameSlots<FrameRole>(['start', 'end'], roleNames, (role) => role);
  #prompt = $state('');
  #sending = $state<SubmitProgress | undefined>();
  /** Set by a "re-run exactly" hand-off until the job has been sent. */
  #autoSubmit = false;
  #duration = $state<Duration | undefined>();

  readonly blockingReason = $derived.by(() => {
    // Said first (the screen's banner says who holds the library): nothing can be sent until then.
    if (queue.readOnly) return READ_ONLY_REASON;
    for (const role of ['start', 'end'] as const) {
      const problem = slotProblem(role, this.frames.slots[role]);
      if (problem) return problem;
    }
    if (promptRequired && this.#prompt.trim() === '') return 'Write a prompt.';
    return undefined;
  });

  readonly canSubmit = $derived(this.blockingReason === undefined);

  /** Swapping is for settled slots: a frame still arriving or being fixed belongs to its slot. */
  readonly canSwap = $derived.by(() => {
    const slots = [this.frames.slots.start, this.frames.slots.end];
    return (
      slots.some((slot) => slot.status !== 'empty') &&
      !slots.some((slot) => slot.status === 'loading' || (slot.status === 'ready' && slot.fixing))
    );
  });

  get slots(): Readonly<Record<FrameRole, Slot>> {
    return this.frames.slots;
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

  pick(role: FrameRole): Promise<void> {
    return this.frames.pick(role);
  }

  addFile(role: FrameRole, file: File): Promise<void> {
    return this.frames.addFile(role, file);
  }

  addBytes(role: FrameRole, name: string, bytes: Uint8Array): Promise<void> {
    return this.frames.addBytes(role, name, bytes);
  }

  addUrl(role: FrameRole, url: string): Promise<void> {
    return this.frames.addUrl(role, url);
  }

  fix(role: FrameRole, kind: FixKind): Promise<void> {
    return this.frames.fix(role, kind);
  }

  undoFix(role: FrameRole): void {
    this.frames.undoFix(role);
  }

  clear(role: FrameRole): void {
    this.frames.clear(role);
  }

  swap(): void {
    if (this.canSwap) this.frames.swap('start', 'end');
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
    return this.frames.listen(() => this.#submitIfAsked());
  }

  get request(): CreateRequest | undefined {
    const { start, end } = this.frames.slots;
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

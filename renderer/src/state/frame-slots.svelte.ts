/**
 * Named frame slots (Create's start and end, the Storyboard's keyframe being picked): where each
 * frame comes from, main's verdict, its fixes and their undo. Main does the inspecting and fixing;
 * this keeps what the user sees in step with it, and drops an answer that arrives after a newer pick.
 */
import type { FixKind, Frame, FrameIntegrityEvent, FrameRole, HeadVerdict } from '$contract';
import { HEAD_SAMPLE_BYTES } from '$contract/frames';
import { bridge, call } from '../lib/bridge';
import { toBase64 } from '../lib/bytes';
import { afterPaint } from '../lib/when-idle';
import { toasts } from './toasts.svelte';

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

export class FrameSlots<R extends string> {
  #slots: Record<R, Slot>;
  /** Bumped on every change to a slot, so an answer that arrives after a newer pick is dropped. */
  #generation: Record<R, number>;
  /** Integrity verdicts that arrived before the frame they are about. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a buffer, never rendered
  #earlyIntegrity = new Map<string, FrameIntegrityEvent>();

  /**
   * @param names what each slot is called in messages ("start frame")
   * @param dialogRole which title the system file dialog shows for each slot
   */
  constructor(
    private readonly roles: readonly R[],
    readonly names: Record<R, string>,
    private readonly dialogRole: (role: R) => FrameRole,
  ) {
    this.#slots = $state(Object.fromEntries(roles.map((role) => [role, { status: 'empty' }])) as Record<R, Slot>);
    this.#generation = Object.fromEntries(roles.map((role) => [role, 0])) as Record<R, number>;
  }

  get slots(): Readonly<Record<R, Slot>> {
    return this.#slots;
  }

  /** The frame in a slot, when one is there. */
  frame(role: R): Frame | undefined {
    const slot: Slot = this.#slots[role];
    return slot.status === 'ready' ? slot.frame : undefined;
  }

  /** Puts a frame from elsewhere (e.g. a storyboard keyframe opened for fixing) into a slot. */
  show(role: R, frame: Frame): void {
    this.#generation[role]++;
    this.#slots[role] = { status: 'ready', frame: this.#withIntegrity(frame), history: [] };
  }

  /** Opens the system file dialog for a slot. */
  async pick(role: R): Promise<void> {
    // No loading state while the dialog is up: the current frame stays until a new one is chosen.
    await this.#load(role, undefined, () => call(bridge().frames.pick(this.dialogRole(role))));
  }

  /**
   * A dropped, pasted or chosen file. A large one goes in two steps so the verdict shows at once:
   * its first bytes for the checks, then the whole file for the staged copy.
   */
  async addFile(role: R, file: File): Promise<void> {
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

  async addBytes(role: R, name: string, bytes: Uint8Array): Promise<void> {
    await this.#load(role, `Reading ${name}…`, () => this.#sendBytes(name, bytes));
  }

  async addUrl(role: R, url: string): Promise<void> {
    await this.#load(role, 'Downloading the image…', () => call(bridge().frames.addUrl({ url })));
  }

  async fix(role: R, kind: FixKind): Promise<void> {
    const slot: Slot = this.#slots[role];
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
      toasts.show(`Could not fix the ${this.names[role]}: ${error instanceof Error ? error.message : String(error)}`, 'error');
    }
  }

  /** Goes back to the frame before the last fix. */
  undoFix(role: R): void {
    const slot: Slot = this.#slots[role];
    if (slot.status !== 'ready' || slot.history.length === 0 || slot.fixing) return;
    this.#generation[role]++;
    this.#slots[role] = { status: 'ready', frame: slot.history.at(-1)!, history: slot.history.slice(0, -1) };
  }

  clear(role: R): void {
    this.#generation[role]++;
    this.#slots[role] = { status: 'empty' };
  }

  /** Exchanges two slots' contents; answers still on their way to either are dropped. */
  swap(a: R, b: R): void {
    const first = this.#slots[a];
    this.#generation[a]++;
    this.#generation[b]++;
    this.#slots[a] = this.#slots[b];
    this.#slots[b] = first;
  }

  /** Keeps integrity verdicts from main's background decode in step; returns the unsubscribe. */
  listen(onApplied?: () => void): () => void {
    return bridge().on.framesIntegrity((event) => {
      let applied = false;
      for (const role of this.roles) {
        const slot: Slot = this.#slots[role];
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
      if (applied) onApplied?.();
      else {
        this.#earlyIntegrity.set(event.id, event);
        if (this.#earlyIntegrity.size > 50) this.#earlyIntegrity.delete(this.#earlyIntegrity.keys().next().value!);
      }
    });
  }

  async #sendBytes(name: string, bytes: Uint8Array): Promise<Frame> {
    return call(bridge().frames.addBytes({ name: name.slice(0, 255) || 'image', data: toBase64(bytes) }));
  }

  async #load(
    role: R,
    label: string | undefined,
    work: () => Promise<Frame | null>,
    headFirst?: () => Promise<HeadVerdict | undefined>,
  ): Promise<void> {
    const generation = ++this.#generation[role];
    const before: Slot = this.#slots[role];
    if (label) this.#slots[role] = { status: 'loading', label };
    try {
      const verdict = await headFirst?.();
      const slot: Slot = this.#slots[role];
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
        toasts.show(`The ${this.names[role]} was not replaced. ${message}`, 'error');
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

function applyIntegrity(frame: Frame, event: FrameIntegrityEvent): Frame {
  return { ...frame, integrity: event.integrity, ...(event.message ? { integrityMessage: event.message } : {}) };
}

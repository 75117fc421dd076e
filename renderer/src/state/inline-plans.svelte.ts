/**
 * What the Create screen says, before anything is sent, about a picked frame over RunComfy's inline
 * cap: that it will go as a re-encoded copy (and its size), or that only a bucket can carry it.
 * Main decides and re-encodes (the same copy is sent on submit); this asks only about frames that
 * go inline and are over the cap, and drops answers for frames no longer picked.
 */
import { INLINE_IMAGE_MAX_BYTES } from '$contract';
import type { Frame, FrameRole, HostingStatus, InlinePlan } from '$contract';
import { bridge, call } from '../lib/bridge';

export type InlineNote =
  | { state: 'checking'; fromBytes: number }
  | { state: 'planned'; plan: Exclude<InlinePlan, { kind: 'not-inline' } | { kind: 'as-is' }> }
  | { state: 'failed'; message: string };

/** Whether a frame is one Create should say something about. */
export const overInlineCap = (frame: Frame, status: HostingStatus | undefined) =>
  status?.host === 'data-uri' && !frame.sourceUrl && frame.bytes > INLINE_IMAGE_MAX_BYTES;

export class InlinePlans {
  #notes = $state<Partial<Record<FrameRole, { frameId: string; note: InlineNote }>>>({});

  /** The note for the frame now in `role`, if it has one. */
  note(role: FrameRole, frame: Frame | undefined): InlineNote | undefined {
    const entry = this.#notes[role];
    return entry && frame && entry.frameId === frame.id ? entry.note : undefined;
  }

  /** Asks main about the frame now in `role` (or forgets the role's note when there is nothing to say). */
  async update(role: FrameRole, frame: Frame | undefined, status: HostingStatus | undefined): Promise<void> {
    if (!frame || !overInlineCap(frame, status)) {
      delete this.#notes[role];
      return;
    }
    if (this.#notes[role]?.frameId === frame.id && this.#notes[role].note.state !== 'failed') return;
    this.#notes[role] = { frameId: frame.id, note: { state: 'checking', fromBytes: frame.bytes } };
    let note: InlineNote | undefined;
    try {
      const plan = await call(bridge().hosting.inlinePlan(frame.id));
      note = plan.kind === 're-encoded' || plan.kind === 'too-large' ? { state: 'planned', plan } : undefined;
    } catch (error) {
      note = { state: 'failed', message: error instanceof Error ? error.message : String(error) };
    }
    if (this.#notes[role]?.frameId !== frame.id) return; // Another frame was picked meanwhile.
    if (note) this.#notes[role] = { frameId: frame.id, note };
    else delete this.#notes[role];
  }
}

export const inlinePlans = new InlinePlans();

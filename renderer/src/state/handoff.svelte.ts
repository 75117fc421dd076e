/**
 * Hands work from one place to another inside the renderer, e.g. the Library's "edit and re-run"
 * or "use this frame as the next start frame" filling the Create form. The sender calls `send`;
 * Create takes the pending item with `take()` when it shows, so nothing is lost if Create was not
 * on screen. Frames travel as bytes (decoded or fetched in the renderer), like a paste.
 */
export interface FrameBytes {
  /** A file name for display, e.g. "job-42 last frame.png". */
  name: string;
  bytes: Uint8Array;
}

export interface CreateHandoff {
  prompt?: string;
  duration?: 5 | 10;
  start?: FrameBytes;
  end?: FrameBytes;
  /**
   * Submit as soon as Create has taken everything in (the Library's "Re-run": the same job again,
   * in one click). Create still checks the frames first and stops, showing why, if anything is off.
   */
  autoSubmit?: boolean;
}

class Handoff {
  #pending = $state<CreateHandoff | undefined>();

  get pending(): CreateHandoff | undefined {
    return this.#pending;
  }

  send(item: CreateHandoff): void {
    this.#pending = item;
  }

  take(): CreateHandoff | undefined {
    const item = this.#pending;
    this.#pending = undefined;
    return item;
  }
}

export const handoff = new Handoff();

/**
 * Puts frames into the open storyboard's strip. A frame comes in every way Create takes one (file,
 * drop, paste, address, a video's frame, a library job's frames), through the same `frames:*` checks.
 * One that passes goes straight into the strip; one that does not opens the picker dialog with the
 * same checks and fixes as Create. Fixing a keyframe already in the strip opens it the same way.
 */
import type { Frame, KeyframeId } from '$contract';
import { bridge, call } from '../lib/bridge';
import { FrameSlots } from './frame-slots.svelte';
import { queue } from './queue.svelte';
import { storyboards } from './storyboard.svelte';
import { handleError } from './toasts.svelte';

export type KeyframeRole = 'keyframe';

/** Where a frame goes: before keyframe `at` (`at` = count appends), or in the place of keyframe `at`. */
export interface KeyframeTarget {
  mode: 'insert' | 'replace';
  at: number;
}

export class KeyframePicker {
  readonly slots = new FrameSlots<KeyframeRole>(['keyframe'], { keyframe: 'keyframe' }, () => 'start');
  #target = $state<KeyframeTarget | undefined>();
  /** The dialog is shown (for choosing, fixing, or a frame that did not pass). */
  #open = $state(false);
  #putting = $state(false);

  get target(): KeyframeTarget | undefined {
    return this.#target;
  }
  get open(): boolean {
    return this.#open;
  }
  get putting(): boolean {
    return this.#putting;
  }
  get frame(): Frame | undefined {
    return this.slots.frame('keyframe');
  }

  /**
   * While another process holds the library nothing goes into the strip: says why before any
   * dialog opens or any frame is read, and answers true.
   */
  refusedReadOnly(): boolean {
    return queue.refusedWhileReadOnly('The keyframe was not put in the strip');
  }

  /** Opens the dialog to choose a frame for `target` (empty, or showing the keyframe being replaced). */
  begin(target: KeyframeTarget): void {
    if (this.refusedReadOnly()) return;
    this.#target = target;
    this.slots.clear('keyframe');
    this.#open = true;
  }

  /** Opens a keyframe already in the strip with its checks and fixes, to put a fixed copy back. */
  async fixKeyframe(id: KeyframeId, at: number): Promise<void> {
    const board = storyboards.openId;
    if (!board || this.refusedReadOnly()) return;
    try {
      const frame = await call(bridge().storyboard.openKeyframe(board, id));
      this.#target = { mode: 'replace', at };
      this.slots.show('keyframe', frame);
      this.#open = true;
    } catch (error) {
      handleError(error, 'The keyframe could not be opened');
    }
  }

  /** A frame dropped or pasted straight onto the strip: into place if it passes, else into the dialog. */
  async quick(target: KeyframeTarget, load: (slots: FrameSlots<KeyframeRole>) => Promise<void>): Promise<void> {
    this.#target = target;
    this.slots.clear('keyframe');
    await load(this.slots);
    const slot = this.slots.slots.keyframe;
    if (slot.status === 'ready' && slot.frame.accepted && slot.frame.integrity !== 'corrupt') await this.use();
    else if (slot.status !== 'empty') this.#open = true;
  }

  /** Puts the frame in the dialog into the strip. */
  async use(): Promise<void> {
    const frame = this.frame;
    const target = this.#target;
    if (!frame || !target || this.#putting) return;
    this.#putting = true;
    try {
      if (await storyboards.putKeyframe(frame.id, target.at, target.mode)) this.close();
      else this.#open = true;
    } finally {
      this.#putting = false;
    }
  }

  close(): void {
    this.#open = false;
    this.#target = undefined;
    this.slots.clear('keyframe');
  }
}

export const keyframePicker = new KeyframePicker();

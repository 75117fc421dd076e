/**
 * Posters for library cards that have none: Chromium decodes the video's poster frame, main keeps
 * the image. One at a time, each job tried once per session; a failure only leaves the card as it was.
 */
import { SvelteSet } from 'svelte/reactivity';
import type { JobSummary } from '$contract';
import { bridge, call } from '../lib/bridge';
import { grabFrame, toBase64 } from '../lib/video-frames';

export class Posters {
  #queue: JobSummary[] = [];
  #tried = new SvelteSet<string>();
  #busy = false;
  readonly #made: (id: string, posterUrl: string) => void;

  /** `made` is told each poster main saved. */
  constructor(made: (id: string, posterUrl: string) => void) {
    this.#made = made;
  }

  /** A card without a poster asks for one when shown. */
  request(job: JobSummary): void {
    if (job.posterUrl || !job.videoUrl || this.#tried.has(job.id)) return;
    this.#tried.add(job.id);
    this.#queue.push(job);
    void this.#make();
  }

  async #make(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (let job = this.#queue.shift(); job; job = this.#queue.shift()) {
        try {
          const image = await grabFrame(job.videoUrl!, 'poster', { type: 'image/jpeg', maxWidth: 640 });
          const { posterUrl } = await call(bridge().library.savePoster(job.id, { mime: 'image/jpeg', base64: toBase64(image.bytes) }));
          this.#made(job.id, posterUrl);
        } catch (error) {
          console.warn(`no poster for job ${job.id}`, error);
        }
      }
    } finally {
      this.#busy = false;
    }
  }
}

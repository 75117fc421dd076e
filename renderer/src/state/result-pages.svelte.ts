/**
 * The gallery's bounded cache of result pages: which pages the grid shows, which are being fetched,
 * and which answers are stale (a newer query or refresh started since). At most `maxPages` pages are
 * kept; those farthest from what the grid shows go first. The renderer never holds the whole library.
 */
import { SvelteMap, SvelteSet } from 'svelte/reactivity';

export class ResultPages<T extends { id: string }> {
  #pages = new SvelteMap<number, T[]>();
  #inFlight = new SvelteSet<number>();
  #generation = 0;
  #range: { first: number; last: number };
  readonly #pageSize: number;
  readonly #maxPages: number;

  constructor(pageSize: number, maxPages: number) {
    this.#pageSize = pageSize;
    this.#maxPages = maxPages;
    this.#range = { first: 0, last: pageSize - 1 };
  }

  item(index: number): T | undefined {
    return this.#pages.get(Math.floor(index / this.#pageSize))?.[index % this.#pageSize];
  }

  /** The grid shows items `first`…`last`: the pages they are on that are neither here nor coming. */
  show(first: number, last: number): number[] {
    this.#range = { first, last };
    const missing: number[] = [];
    for (let page = Math.floor(first / this.#pageSize); page <= Math.floor(Math.max(first, last) / this.#pageSize); page++) {
      if (!this.#pages.has(page) && !this.#inFlight.has(page)) missing.push(page);
    }
    return missing;
  }

  /** The first page (it carries the total) and the pages the grid shows. */
  visible(): number[] {
    const pages = [0];
    const { first, last } = this.#range;
    for (let page = Math.max(1, Math.floor(first / this.#pageSize)); page <= Math.floor(last / this.#pageSize); page++) pages.push(page);
    return pages;
  }

  /** Marks `pages` as coming. `replace`: answers to anything started before are stale from now on. Returns the fetch's generation. */
  start(pages: number[], replace: boolean): number {
    if (replace) {
      this.#generation++;
      this.#inFlight.clear();
    }
    for (const page of pages) this.#inFlight.add(page);
    return this.#generation;
  }

  /** False once a newer query or refresh has started. */
  isCurrent(generation: number): boolean {
    return generation === this.#generation;
  }

  /** Stores the answers in one synchronous step (with `replace`, instead of every cached page), then trims the cache. */
  fill(pages: number[], answers: T[][], replace: boolean): void {
    if (replace) this.#pages.clear();
    pages.forEach((page, i) => this.#pages.set(page, answers[i]));
    if (this.#pages.size <= this.#maxPages) return;
    const centre = Math.floor((this.#range.first + this.#range.last) / 2 / this.#pageSize);
    const byDistance = [...this.#pages.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const page of byDistance.slice(0, this.#pages.size - this.#maxPages)) this.#pages.delete(page);
  }

  /** The fetch of `pages` has ended (answered or failed). */
  finish(generation: number, pages: number[]): void {
    if (this.isCurrent(generation)) for (const page of pages) this.#inFlight.delete(page);
  }

  /** Whether any cached item is one `test` looks for. */
  some(test: (item: T) => boolean): boolean {
    for (const items of this.#pages.values()) if (items.some(test)) return true;
    return false;
  }

  /** Changes one item wherever it is cached (e.g. its favourite star or its new poster). */
  patch(id: string, change: Partial<T>): void {
    for (const [page, items] of this.#pages) {
      const index = items.findIndex((item) => item.id === id);
      if (index >= 0) this.#pages.set(page, items.with(index, { ...items[index], ...change }));
    }
  }
}

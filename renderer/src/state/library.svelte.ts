/**
 * The gallery's state: the query (words, filters, sort), a bounded cache of result pages fetched
 * from main as the grid scrolls (the renderer never holds the whole library), the open job,
 * posters being made, and the library's notices and location.
 */
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import type { JobDetail, JobSummary, LibraryInfo, MoveProgress, Spend } from '../../../main/contract';
import { bridge, call } from '../lib/bridge';
import { defaultFilters, isFiltered, PAGE_SIZE, toQuery } from '../lib/library-query';
import type { LibraryFilters } from '../lib/library-query';
import { grabFrame, toBase64 } from '../lib/video-frames';
import type { FrameImage } from '../lib/video-frames';
import { handoff } from './handoff.svelte';
import type { CreateHandoff, FrameBytes } from './handoff.svelte';
import { navigation } from './navigation.svelte';
import { handleError, toasts } from './toasts.svelte';

const frameName = (job: { id: string }, what: string, type: string) => `${job.id} ${what}.${type === 'image/jpeg' ? 'jpg' : 'png'}`;

const MAX_PAGES = 24;

export type { DateRange, LibraryFilters } from '../lib/library-query';
export { defaultFilters, PAGE_SIZE } from '../lib/library-query';

export class LibraryState {
  #filters = $state<LibraryFilters>({ ...defaultFilters });
  #total = $state<number | undefined>();
  #spend = $state<Spend | undefined>();
  #pages = new SvelteMap<number, JobSummary[]>();
  #shownFor = $state('');
  #queryVersion = $state(0);
  #error = $state<string | undefined>();
  #info = $state<LibraryInfo | undefined>();
  #openId = $state<string | undefined>();
  #detail = $state<JobDetail | undefined>();
  #move = $state<MoveProgress | undefined>();
  #online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  #generation = 0;
  #inFlight = new SvelteSet<number>();
  #range = { first: 0, last: PAGE_SIZE - 1 };
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #posterQueue: JobSummary[] = [];
  #posterTried = new SvelteSet<string>();
  #posterBusy = false;
  #frames: { id: string; bytes: Promise<[FrameBytes | undefined, FrameBytes | undefined]> } | undefined;
  /** The selected card's position in the results. */
  selected = $state(0);

  get filters(): Readonly<LibraryFilters> {
    return this.#filters;
  }
  /** Undefined until the first answer. */
  get total(): number | undefined {
    return this.#total;
  }
  /** What the jobs matching the filters cost, by RunComfy's reported costs (the dates make it a period's spend). */
  get spend(): Spend | undefined {
    return this.#spend;
  }
  get error(): string | undefined {
    return this.#error;
  }
  get info(): LibraryInfo | undefined {
    return this.#info;
  }
  get openId(): string | undefined {
    return this.#openId;
  }
  get detail(): JobDetail | undefined {
    return this.#detail;
  }
  get move(): MoveProgress | undefined {
    return this.#move;
  }
  get online(): boolean {
    return this.#online;
  }
  /** Changes each time a new query's results replace the old ones (the grid scrolls to the top). */
  get queryVersion(): number {
    return this.#queryVersion;
  }
  /** The query whose results are on screen, as a key (tests and benchmarks wait for it). */
  get shownFor(): string {
    return this.#shownFor;
  }
  get filtered(): boolean {
    return isFiltered(this.#filters);
  }

  queryKey(filters: LibraryFilters = this.#filters): string {
    return JSON.stringify(filters);
  }

  item(index: number): JobSummary | undefined {
    return this.#pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  // ---- loading --------------------------------------------------------------------------------

  /** The gallery is shown: the first time, load it; after that, bring what is on screen up to date. */
  async enter(): Promise<void> {
    if (this.#total === undefined) await Promise.all([this.loadInfo(), this.#load([0], true)]);
    else await Promise.all([this.loadInfo(), this.refresh()]);
  }

  async loadInfo(): Promise<void> {
    try {
      this.#info = await call(bridge().library.info());
    } catch (error) {
      handleError(error, 'Could not read the library');
    }
  }

  setFilters(patch: Partial<LibraryFilters>): void {
    this.#filters = { ...this.#filters, ...patch };
    void this.#load([0], true);
  }

  clearFilters(): void {
    this.setFilters({ ...defaultFilters, sort: this.#filters.sort });
  }

  /** The grid shows items `first`…`last`: fetch the pages they are on. */
  ensure(first: number, last: number): void {
    this.#range = { first, last };
    const pages: number[] = [];
    for (let page = Math.floor(first / PAGE_SIZE); page <= Math.floor(Math.max(first, last) / PAGE_SIZE); page++) {
      if (!this.#pages.has(page) && !this.#inFlight.has(page)) pages.push(page);
    }
    if (pages.length) void this.#load(pages, false);
  }

  /** Re-reads what is on screen (after a change in main), keeping the place. */
  refresh(): Promise<void> {
    const pages = [0];
    for (let page = Math.max(1, Math.floor(this.#range.first / PAGE_SIZE)); page <= Math.floor(this.#range.last / PAGE_SIZE); page++)
      pages.push(page);
    return this.#load(pages, true, false);
  }

  #scheduleRefresh(): void {
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => void this.refresh(), 120);
  }

  /**
   * Fetches pages for the current query. `replace`: the answer replaces every cached page (a new
   * query, or a refresh); the old results stay on screen until then, so typing never flashes empty.
   */
  async #load(pages: number[], replace: boolean, newQuery = replace): Promise<void> {
    if (replace) {
      this.#generation++;
      this.#inFlight.clear();
    }
    const generation = this.#generation;
    const filters = this.#filters;
    for (const page of pages) this.#inFlight.add(page);
    try {
      const listing = Promise.all(pages.map((page) => call(bridge().library.list(toQuery(filters, page)))));
      // The spend goes with every new or refreshed result (not with pages fetched while scrolling). It is
      // asked after the pages, so main answers them first, and the results never wait for it.
      if (replace) void this.#loadSpend(filters, generation);
      const answers = await listing;
      if (generation !== this.#generation) return;
      // All in one synchronous step: the screen never shows a half-replaced result.
      if (replace) this.#pages.clear();
      pages.forEach((page, i) => this.#pages.set(page, answers[i].items));
      this.#evict();
      this.#total = answers[0].total;
      this.#error = undefined;
      if (replace) {
        this.#shownFor = this.queryKey(filters);
        if (newQuery) {
          this.#queryVersion++;
          this.selected = 0;
        } else this.selected = Math.min(this.selected, Math.max(0, this.#total - 1));
      }
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#error = error instanceof Error ? error.message : String(error);
    } finally {
      if (generation === this.#generation) for (const page of pages) this.#inFlight.delete(page);
    }
  }

  async #loadSpend(filters: LibraryFilters, generation: number): Promise<void> {
    try {
      const spend = await call(bridge().library.spend(toQuery(filters, 0)));
      if (generation === this.#generation) this.#spend = spend;
    } catch (error) {
      if (generation === this.#generation) this.#error = error instanceof Error ? error.message : String(error);
    }
  }

  /** Keeps the cache bounded: drops the pages farthest from what the grid shows. */
  #evict(): void {
    if (this.#pages.size <= MAX_PAGES) return;
    const centre = Math.floor((this.#range.first + this.#range.last) / 2 / PAGE_SIZE);
    const byDistance = [...this.#pages.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const page of byDistance.slice(0, this.#pages.size - MAX_PAGES)) this.#pages.delete(page);
  }

  #patch(id: string, change: Partial<JobSummary>): void {
    for (const [page, items] of this.#pages) {
      const index = items.findIndex((item) => item.id === id);
      if (index >= 0) this.#pages.set(page, items.with(index, { ...items[index], ...change }));
    }
  }

  // ---- one job --------------------------------------------------------------------------------

  async open(id: string): Promise<void> {
    this.#openId = id;
    this.#detail = undefined;
    try {
      const detail = await call(bridge().library.get(id));
      if (this.#openId !== id) return;
      this.#detail = detail;
      // Read the frames now, so "Re-run" hands them over at once (and without any network).
      this.#frames = { id, bytes: Promise.all([this.#frameBytes(detail, 'start'), this.#frameBytes(detail, 'end')]) };
      this.#frames.bytes.catch(() => undefined);
    } catch (error) {
      this.#openId = undefined;
      handleError(error, 'Could not open the job');
    }
  }

  close(): void {
    this.#openId = undefined;
    this.#detail = undefined;
    this.#frames = undefined;
  }

  async toggleFavourite(job: Pick<JobSummary, 'id' | 'favourite'>): Promise<void> {
    const favourite = !job.favourite;
    this.#patch(job.id, { favourite });
    try {
      const detail = await call(bridge().library.setFavourite(job.id, favourite));
      if (this.#detail?.id === job.id) this.#detail = detail;
      if (this.#filters.favourites) this.#scheduleRefresh();
    } catch (error) {
      this.#patch(job.id, { favourite: !favourite });
      handleError(error, 'Could not change the favourite');
    }
  }

  async remove(id: string): Promise<boolean> {
    try {
      await call(bridge().library.delete(id));
      if (this.#openId === id) this.close();
      toasts.show('Moved to the trash. You can restore it from the system trash.');
      await this.refresh();
      return true;
    } catch (error) {
      handleError(error, 'Could not delete the job');
      return false;
    }
  }

  async saveVideoAs(id: string): Promise<void> {
    try {
      const { path } = await call(bridge().library.saveVideoAs(id));
      if (path) toasts.show(`Saved to ${path}`);
    } catch (error) {
      handleError(error, 'Could not save the video');
    }
  }

  async reveal(id: string): Promise<void> {
    try {
      await call(bridge().library.reveal(id));
    } catch (error) {
      handleError(error, 'Could not show the file');
    }
  }

  async copy(text: string, what: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      toasts.show(`${what} copied.`);
    } catch (error) {
      handleError(error, `Could not copy the ${what.toLowerCase()}`);
    }
  }

  // ---- to Create ------------------------------------------------------------------------------

  async #frameBytes(job: JobDetail, role: 'start' | 'end'): Promise<FrameBytes | undefined> {
    const frame = job.frames.find((f) => f.role === role);
    if (!frame) return undefined;
    const response = await fetch(frame.url);
    if (!response.ok) throw new Error(`the ${role} frame is missing from the job's folder`);
    return {
      name: `${job.id} ${role}${frame.file.slice(frame.file.lastIndexOf('.'))}`,
      bytes: new Uint8Array(await response.arrayBuffer()),
    };
  }

  /**
   * Hands the job to Create: "Re-run" sends everything and submits at once (when online);
   * "Edit and re-run" sends everything for the user to change first.
   */
  async rerun(job: JobDetail, mode: 'exact' | 'edit'): Promise<void> {
    try {
      const [start, end] =
        this.#frames?.id === job.id
          ? await this.#frames.bytes
          : await Promise.all([this.#frameBytes(job, 'start'), this.#frameBytes(job, 'end')]);
      const autoSubmit = mode === 'exact' && this.#online;
      const item: CreateHandoff = {
        prompt: job.prompt,
        duration: job.duration,
        ...(start ? { start } : {}),
        ...(end ? { end } : {}),
        autoSubmit,
      };
      this.#send(item, describeHandoff(item, mode === 'exact' && !this.#online));
    } catch (error) {
      handleError(error, 'Could not re-run the job');
    }
  }

  /** Uses a frame of the job's video as the next job's start frame. */
  async useFrame(job: JobDetail, frame: FrameImage | 'last'): Promise<void> {
    try {
      const image = frame === 'last' ? await grabFrame(job.videoUrl!, 'last') : frame;
      const what = frame === 'last' ? 'last frame' : 'frame';
      const item: CreateHandoff = { start: { name: frameName(job, what, image.type), bytes: image.bytes } };
      this.#send(item, `The video's ${what} (${image.width}×${image.height}) is the start frame in Create.`);
    } catch (error) {
      handleError(error, 'Could not take the frame');
    }
  }

  #send(item: CreateHandoff, message: string): void {
    handoff.send(item);
    this.close();
    navigation.go('create');
    toasts.show(message);
  }

  // ---- posters --------------------------------------------------------------------------------

  /** A card without a poster asks for one when shown: Chromium decodes the video, main keeps the image. */
  requestPoster(job: JobSummary): void {
    if (job.posterUrl || !job.videoUrl || this.#posterTried.has(job.id)) return;
    this.#posterTried.add(job.id);
    this.#posterQueue.push(job);
    void this.#makePosters();
  }

  async #makePosters(): Promise<void> {
    if (this.#posterBusy) return;
    this.#posterBusy = true;
    try {
      for (let job = this.#posterQueue.shift(); job; job = this.#posterQueue.shift()) {
        try {
          const image = await grabFrame(job.videoUrl!, 'poster', { type: 'image/jpeg', maxWidth: 640 });
          const { posterUrl } = await call(bridge().library.savePoster(job.id, { mime: 'image/jpeg', base64: toBase64(image.bytes) }));
          this.#patch(job.id, { posterUrl });
        } catch (error) {
          console.warn(`no poster for job ${job.id}`, error);
        }
      }
    } finally {
      this.#posterBusy = false;
    }
  }

  // ---- the library itself ---------------------------------------------------------------------

  async dismissNotice(): Promise<void> {
    try {
      await call(bridge().library.dismissNotice());
      await this.loadInfo();
    } catch (error) {
      handleError(error, 'Could not dismiss the notice');
    }
  }

  async moveLibrary(): Promise<void> {
    this.#move = undefined;
    try {
      const result = await call(bridge().library.move());
      if (result.moved) toasts.show(result.warning ?? `The library is now in ${result.dir}.`, result.warning ? 'error' : 'info', 9000);
    } catch (error) {
      handleError(error, 'The library was not moved');
    } finally {
      await this.loadInfo();
    }
  }

  listen(): () => void {
    const stops = [
      bridge().on.libraryChanged((change) => {
        if (change.kind === 'reset') void this.loadInfo();
        if (change.id && change.id === this.#openId) {
          if (change.kind === 'deleted') this.close();
          else if (change.kind === 'updated') void this.#reloadDetail(change.id);
        }
        this.#scheduleRefresh();
      }),
      bridge().on.libraryMoveProgress((progress) => (this.#move = progress)),
    ];
    const online = () => (this.#online = navigator.onLine);
    window.addEventListener('online', online);
    window.addEventListener('offline', online);
    return () => {
      for (const stop of stops) stop();
      window.removeEventListener('online', online);
      window.removeEventListener('offline', online);
      clearTimeout(this.#refreshTimer);
    };
  }

  async #reloadDetail(id: string): Promise<void> {
    try {
      const detail = await call(bridge().library.get(id));
      if (this.#openId === id) this.#detail = detail;
    } catch {
      // It was deleted meanwhile; the 'deleted' change closes it.
    }
  }
}

function describeHandoff(item: CreateHandoff, offline: boolean): string {
  const frames = [item.start && 'start', item.end && 'end'].filter(Boolean);
  const size = (item.start?.bytes.byteLength ?? 0) + (item.end?.bytes.byteLength ?? 0);
  const what = [
    `${item.duration} s`,
    frames.length ? `${frames.join(' and ')} frame${frames.length > 1 ? 's' : ''}, ${formatBytes(size)}` : 'no frames',
  ].join(', ');
  if (offline)
    return `You are offline, so nothing was submitted. The job (${what}) is ready in Create; submit it when you are back online.`;
  return item.autoSubmit ? `Re-running in Create: ${what}.` : `Ready to edit in Create: ${what}.`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export const library = new LibraryState();

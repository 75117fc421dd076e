/**
 * The gallery's state: the query (words, filters, sort), a bounded cache of result pages fetched
 * from main as the grid scrolls (the renderer never holds the whole library), the open job,
 * posters being made, and the library's notices and location.
 */
import type { JobDetail, JobSummary, LibraryInfo, MoveProgress, Spend } from '$contract';
import { bridge, call } from '../lib/bridge';
import { defaultFilters, isFiltered, PAGE_SIZE, toQuery } from '../lib/library-query';
import type { LibraryFilters } from '../lib/library-query';
import { grabFrame } from '../lib/video-frames';
import type { FrameImage } from '../lib/video-frames';
import { handoff } from './handoff.svelte';
import type { CreateHandoff, FrameBytes } from './handoff.svelte';
import { listenAll } from './live.svelte';
import { navigation } from './navigation.svelte';
import { Posters } from './posters.svelte';
import { queue } from './queue.svelte';
import { describeHandoff, grabbedName, jobFrames } from './rerun';
import { ResultPages } from './result-pages.svelte';
import { attempt, handleError, toasts } from './toasts.svelte';

/** Result pages kept at most (the rest are fetched again when scrolled back to). */
const MAX_PAGES = 24;
/**
 * A new query's spend is asked once the query has stayed this long: while the user types, main
 * answers pages only (a short word's spend adds up most of the library, and the next keystroke's
 * page would wait behind it).
 */
const SPEND_AFTER_MS = 150;

export type { DateRange, LibraryFilters } from '../lib/library-query';
export { defaultFilters, PAGE_SIZE } from '../lib/library-query';

export class LibraryState {
  #filters = $state<LibraryFilters>({ ...defaultFilters });
  #total = $state<number | undefined>();
  #spend = $state<Spend | undefined>();
  #spendFor = $state('');
  #spendTimer: ReturnType<typeof setTimeout> | undefined;
  #pages = new ResultPages<JobSummary>(PAGE_SIZE, MAX_PAGES);
  #shownFor = $state('');
  #queryVersion = $state(0);
  #newQueryShown = $state(false);
  #error = $state<string | undefined>();
  #info = $state<LibraryInfo | undefined>();
  #openId = $state<string | undefined>();
  #detail = $state<JobDetail | undefined>();
  #move = $state<MoveProgress | undefined>();
  #online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #posters = new Posters((id, posterUrl) => this.#pages.patch(id, { posterUrl }));
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
  /** False while the spend shown is an earlier query's (the new one's follows once typing stops). */
  get spendCurrent(): boolean {
    return this.#spendFor === this.#shownFor;
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
  /** The results on screen are a new query's (typed, filtered), not the same query's refreshed. */
  get newQueryShown(): boolean {
    return this.#newQueryShown;
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
    return this.#pages.item(index);
  }

  // ---- loading --------------------------------------------------------------------------------

  /** The gallery is shown: the first time, load it; after that, bring what is on screen up to date. */
  async enter(): Promise<void> {
    if (this.#total === undefined) await Promise.all([this.loadInfo(), this.#load([0], true)]);
    else await Promise.all([this.loadInfo(), this.refresh()]);
  }

  async loadInfo(): Promise<void> {
    this.#info = (await attempt('Could not read the library', () => call(bridge().library.info()))) ?? this.#info;
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
    const pages = this.#pages.show(first, last);
    if (pages.length) void this.#load(pages, false);
  }

  /** Re-reads what is on screen (after a change in main), keeping the place. */
  refresh(): Promise<void> {
    return this.#load(this.#pages.visible(), true, false);
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
    const generation = this.#pages.start(pages, replace);
    const filters = this.#filters;
    try {
      const listing = Promise.all(pages.map((page) => call(bridge().library.list(toQuery(filters, page)))));
      // The spend goes with every new or refreshed result (not with pages fetched while scrolling). It is
      // asked after the pages, so main answers them first, and the results never wait for it.
      if (replace) this.#askSpend(filters, generation, newQuery && this.#total !== undefined ? SPEND_AFTER_MS : 0);
      const answers = await listing;
      if (!this.#pages.isCurrent(generation)) return;
      // All in one synchronous step: the screen never shows a half-replaced result.
      this.#pages.fill(
        pages,
        answers.map((answer) => answer.items),
        replace,
      );
      this.#total = answers[0].total;
      this.#error = undefined;
      if (replace) {
        this.#shownFor = this.queryKey(filters);
        this.#newQueryShown = newQuery;
        if (newQuery) {
          this.#queryVersion++;
          this.selected = 0;
        } else this.selected = Math.min(this.selected, Math.max(0, this.#total - 1));
      }
    } catch (error) {
      if (!this.#pages.isCurrent(generation)) return;
      this.#error = error instanceof Error ? error.message : String(error);
    } finally {
      this.#pages.finish(generation, pages);
    }
  }

  #askSpend(filters: LibraryFilters, generation: number, afterMs: number): void {
    clearTimeout(this.#spendTimer);
    if (afterMs === 0) void this.#loadSpend(filters, generation);
    else this.#spendTimer = setTimeout(() => void this.#loadSpend(filters, generation), afterMs);
  }

  async #loadSpend(filters: LibraryFilters, generation: number): Promise<void> {
    try {
      const spend = await call(bridge().library.spend(toQuery(filters, 0)));
      if (this.#pages.isCurrent(generation)) {
        this.#spend = spend;
        this.#spendFor = this.queryKey(filters);
      }
    } catch (error) {
      if (!this.#pages.isCurrent(generation)) return;
      this.#error = error instanceof Error ? error.message : String(error);
      // No spend rather than an earlier query's shown as if it were coming.
      this.#spend = undefined;
      this.#spendFor = this.queryKey(filters);
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
      this.#frames = { id, bytes: jobFrames(detail) };
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
    if (queue.refusedWhileReadOnly('Could not change the favourite')) return;
    const favourite = !job.favourite;
    this.#pages.patch(job.id, { favourite });
    try {
      const detail = await call(bridge().library.setFavourite(job.id, favourite));
      if (this.#detail?.id === job.id) this.#detail = detail;
      if (this.#filters.favourites) this.#scheduleRefresh();
    } catch (error) {
      this.#pages.patch(job.id, { favourite: !favourite });
      handleError(error, 'Could not change the favourite');
    }
  }

  async remove(id: string): Promise<boolean> {
    if (queue.refusedWhileReadOnly('Could not delete the job')) return false;
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
    const saved = await attempt('Could not save the video', () => call(bridge().library.saveVideoAs(id)));
    if (saved?.path) toasts.show(`Saved to ${saved.path}`);
  }

  async reveal(id: string): Promise<void> {
    await attempt('Could not show the file', () => call(bridge().library.reveal(id)));
  }

  async copy(text: string, what: string): Promise<void> {
    await attempt(`Could not copy the ${what.toLowerCase()}`, async () => {
      await navigator.clipboard.writeText(text);
      toasts.show(`${what} copied.`);
    });
  }

  // ---- to Create ------------------------------------------------------------------------------

  /**
   * Hands the job to Create: "Re-run" sends everything and submits at once (when online);
   * "Edit and re-run" sends everything for the user to change first.
   */
  rerun(job: JobDetail, mode: 'exact' | 'edit'): Promise<void> {
    return attempt('Could not re-run the job', async () => {
      const [start, end] = await (this.#frames?.id === job.id ? this.#frames.bytes : jobFrames(job));
      const autoSubmit = mode === 'exact' && this.#online;
      const item: CreateHandoff = {
        prompt: job.prompt,
        duration: job.duration,
        ...(start ? { start } : {}),
        ...(end ? { end } : {}),
        autoSubmit,
      };
      this.#send(item, describeHandoff(item, mode === 'exact' && !this.#online));
    });
  }

  /** Uses a frame of the job's video as the next job's start frame. */
  useFrame(job: JobDetail, frame: FrameImage | 'last'): Promise<void> {
    return attempt('Could not take the frame', async () => {
      const image = frame === 'last' ? await grabFrame(job.videoUrl!, 'last') : frame;
      const what = frame === 'last' ? 'last frame' : 'frame';
      const item: CreateHandoff = { start: { name: grabbedName(job, what, image.type), bytes: image.bytes } };
      this.#send(item, `The video's ${what} (${image.width}×${image.height}) is the start frame in Create.`);
    });
  }

  #send(item: CreateHandoff, message: string): void {
    handoff.send(item);
    this.close();
    navigation.go('create');
    toasts.show(message);
  }

  // ---- posters --------------------------------------------------------------------------------

  /**
   * A card without a poster asks for one when shown: Chromium decodes the video, main keeps the
   * image. Not while the library is read-only here; the card asks again when shown after that.
   */
  requestPoster(job: JobSummary): void {
    if (!queue.readOnly) this.#posters.request(job);
  }

  // ---- the library itself ---------------------------------------------------------------------

  async dismissNotice(): Promise<void> {
    await attempt('Could not dismiss the notice', async () => {
      await call(bridge().library.dismissNotice());
      await this.loadInfo();
    });
  }

  async moveLibrary(): Promise<void> {
    if (queue.refusedWhileReadOnly('The library was not moved')) return;
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
    const online = () => (this.#online = navigator.onLine);
    window.addEventListener('online', online);
    window.addEventListener('offline', online);
    return listenAll(
      bridge().on.libraryChanged((change) => {
        if (change.kind === 'reset') void this.loadInfo();
        if (change.id && change.id === this.#openId) {
          if (change.kind === 'deleted') this.close();
          else if (change.kind === 'updated') void this.#reloadDetail(change.id);
        }
        this.#scheduleRefresh();
      }),
      // A take is named by its board and shot as they are now: renaming, reordering or deleting the
      // board changes what its cards and its detail say.
      bridge().on.storyboardChanged((change) => {
        const ofBoard = (job: JobSummary) => job.take?.storyboard?.id === change.id;
        if (this.#detail && ofBoard(this.#detail)) void this.#reloadDetail(this.#detail.id);
        if (this.#pages.some(ofBoard)) this.#scheduleRefresh();
      }),
      bridge().on.libraryMoveProgress((progress) => (this.#move = progress)),
      () => window.removeEventListener('online', online),
      () => window.removeEventListener('offline', online),
      () => this.dispose(),
    );
  }

  /** Stops the timers (a refresh, a spend) still waiting. */
  dispose(): void {
    clearTimeout(this.#refreshTimer);
    clearTimeout(this.#spendTimer);
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

export const library = new LibraryState();

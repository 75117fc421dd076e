/**
 * The Storyboard place: the list of boards, and the board that is open. Main owns every board; each
 * change goes through the bridge and the board main answers with is what the page shows. Prompts
 * are the one exception: what the user types stays as a draft until it is saved, so an answer to
 * another change cannot take letters back.
 */
import type {
  JobId,
  KeyframeId,
  MakePlan,
  MakeRequest,
  Result,
  ShotKey,
  ShotPatch,
  Storyboard,
  StoryboardId,
  StoryboardSummary,
} from '$contract';
import { formatUsd } from '$contract/price';
import { bridge, call } from '../lib/bridge';
import { handleError, toasts } from './toasts.svelte';

/** How long typing may pause before a prompt is saved. */
const PROMPT_SAVE_MS = 400;
/**
 * How long the list stays while a board is fetched: a board usually arrives well within it, and is
 * then drawn once, complete; a slower one gets the board's "Opening…" view.
 */
const OPEN_QUIET_MS = 250;

/** "4 jobs · 20 s · about $2.24": what a make plan will send, on one line. */
export function planLine(plan: MakePlan): string {
  if (plan.jobs === 0) return 'Every shot has a picked take.';
  const jobs = `${plan.jobs} ${plan.jobs === 1 ? 'job' : 'jobs'}`;
  const price = plan.estimateUsd === undefined ? 'price unavailable' : `about ${formatUsd(plan.estimateUsd)}`;
  return `${jobs} · ${plan.seconds} s · ${price}`;
}

export class StoryboardState {
  #list = $state<StoryboardSummary[] | undefined>();
  #listError = $state<string | undefined>();
  #board = $state<Storyboard | undefined>();
  #openId = $state<StoryboardId | undefined>();
  #boardError = $state<string | undefined>();
  /** Prompts typed but not yet saved, by shot. */
  #drafts = $state<Record<ShotKey, string>>({});
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- timers, never rendered
  #timers = new Map<ShotKey, ReturnType<typeof setTimeout>>();
  #plan = $state<MakePlan | undefined>();
  #making = $state<'all' | ShotKey | undefined>();
  #refetch: ReturnType<typeof setTimeout> | undefined;
  #openSlow = $state(false);
  #shotToShow = $state<ShotKey | undefined>();
  #openTimer: ReturnType<typeof setTimeout> | undefined;

  /** Undefined while loading. */
  get list(): readonly StoryboardSummary[] | undefined {
    return this.#list;
  }
  get listError(): string | undefined {
    return this.#listError;
  }
  get openId(): StoryboardId | undefined {
    return this.#openId;
  }
  /** A shot to bring into view as soon as its card is on the page (a take leads to its shot). */
  get shotToShow(): ShotKey | undefined {
    return this.#shotToShow;
  }
  /** Shows that shot of the open board (none: done). */
  showShot(key: ShotKey | undefined): void {
    this.#shotToShow = key && this.#board?.shots.some((shot) => shot.key === key) ? key : undefined;
  }
  /** Whether the Storyboard place shows the open board (or its "Opening…" or error view) rather than the list. */
  get showsBoard(): boolean {
    return this.#openId !== undefined && (this.#board !== undefined || this.#boardError !== undefined || this.#openSlow);
  }
  /** The open board, once it has loaded. */
  get board(): Storyboard | undefined {
    return this.#board;
  }
  get boardError(): string | undefined {
    return this.#boardError;
  }
  /** The plan for "Make all", kept in step with the board. */
  get plan(): MakePlan | undefined {
    return this.#plan;
  }
  /** Which make is being sent: every unpicked shot, or one shot. */
  get making(): 'all' | ShotKey | undefined {
    return this.#making;
  }

  prompt(key: ShotKey): string {
    return this.#drafts[key] ?? this.#board?.shots.find((shot) => shot.key === key)?.prompt ?? '';
  }

  async loadList(): Promise<void> {
    try {
      this.#list = await call(bridge().storyboard.list());
      this.#listError = undefined;
    } catch (error) {
      this.#listError = error instanceof Error ? error.message : String(error);
      this.#list ??= [];
    }
  }

  /** Follows changes made elsewhere (another window, the headless tool, takes finishing). */
  listen(): () => void {
    const stopBoards = bridge().on.storyboardChanged((change) => {
      void this.loadList();
      if (change.id !== this.#openId) return;
      if (change.kind === 'deleted') this.close();
      else this.#scheduleRefetch();
    });
    const stopJobs = bridge().on.jobsChanged((item) => {
      if (this.#board?.shots.some((shot) => shot.takes.some((take) => take.jobId === item.id))) this.#scheduleRefetch();
    });
    return () => {
      stopBoards();
      stopJobs();
      clearTimeout(this.#refetch);
    };
  }

  async create(name: string): Promise<void> {
    const board = await call(bridge().storyboard.create(name));
    this.#stopOpenTimer();
    this.#shotToShow = undefined;
    this.#openId = board.id;
    this.#apply(board);
    void this.loadList();
  }

  /** Opens a board, and then brings `shot` into view if given. */
  async open(id: StoryboardId, shot?: ShotKey): Promise<void> {
    if (this.#openId === id && !this.#board && !this.#boardError) return; // already on its way
    this.#openId = id;
    this.#board = undefined;
    this.#boardError = undefined;
    this.#plan = undefined;
    this.#drafts = {};
    this.#shotToShow = undefined;
    this.#stopOpenTimer();
    this.#openTimer = setTimeout(() => (this.#openSlow = true), OPEN_QUIET_MS);
    try {
      const board = await call(bridge().storyboard.get(id));
      if (this.#openId !== id) return;
      this.#apply(board);
      this.showShot(shot);
    } catch (error) {
      if (this.#openId === id) this.#boardError = error instanceof Error ? error.message : String(error);
    } finally {
      if (this.#openId === id) this.#stopOpenTimer();
    }
  }

  #stopOpenTimer(): void {
    clearTimeout(this.#openTimer);
    this.#openSlow = false;
  }

  close(): void {
    this.#flushDrafts();
    this.#stopOpenTimer();
    this.#shotToShow = undefined;
    this.#openId = undefined;
    this.#board = undefined;
    this.#boardError = undefined;
    this.#plan = undefined;
  }

  async rename(id: StoryboardId, name: string): Promise<void> {
    const board = await call(bridge().storyboard.update(id, { name }));
    if (board.id === this.#openId) this.#apply(board);
    void this.loadList();
  }

  async remove(id: StoryboardId, withJobs: boolean): Promise<void> {
    await call(bridge().storyboard.delete(id, { withJobs }));
    if (id === this.#openId) this.close();
    this.#list = this.#list?.filter((item) => item.id !== id);
    toasts.show(withJobs ? 'Storyboard and its takes deleted.' : 'Storyboard deleted; its takes stay in the Library.');
  }

  // Changes to the open board. Each one applies the board main answers with.

  putKeyframe(frameId: string, at: number, mode: 'insert' | 'replace'): Promise<boolean> {
    return this.#change('The keyframe was not put in the strip', (id) => bridge().storyboard.putKeyframe(id, { frameId, at, mode }));
  }

  removeKeyframe(keyframeId: KeyframeId): Promise<boolean> {
    return this.#change('The keyframe was not removed', (id) => bridge().storyboard.removeKeyframe(id, keyframeId));
  }

  moveKeyframe(keyframeId: KeyframeId, to: number): Promise<boolean> {
    return this.#change('The keyframe was not moved', (id) => bridge().storyboard.moveKeyframe(id, keyframeId, to));
  }

  setTakesPerShot(takesPerShot: number): Promise<boolean> {
    return this.#change('Takes per shot was not changed', (id) => bridge().storyboard.update(id, { takesPerShot }));
  }

  setDuration(key: ShotKey, duration: 5 | 10): Promise<boolean> {
    return this.#setShot(key, { duration });
  }

  pick(key: ShotKey, jobId: JobId | null): Promise<boolean> {
    return this.#change('The take was not picked', (id) => bridge().storyboard.pick(id, key, jobId));
  }

  /** Keeps the typed prompt and saves it once typing pauses. */
  setPrompt(key: ShotKey, prompt: string): void {
    this.#drafts[key] = prompt;
    clearTimeout(this.#timers.get(key));
    this.#timers.set(
      key,
      setTimeout(() => void this.#savePrompt(key), PROMPT_SAVE_MS),
    );
  }

  /** What "Make" would send for these shots. */
  planFor(request: MakeRequest): Promise<MakePlan> {
    const id = this.#openId;
    if (!id) return Promise.reject(new Error('No storyboard is open.'));
    return call(bridge().storyboard.plan(id, request));
  }

  /** Sends takes for one shot, or for every shot without a picked take. */
  async make(shots: 'unpicked' | ShotKey): Promise<void> {
    const id = this.#openId;
    if (!id || this.#making) return;
    this.#making = shots === 'unpicked' ? 'all' : shots;
    try {
      await this.#flushDrafts();
      const request: MakeRequest = { shots: shots === 'unpicked' ? 'unpicked' : [shots] };
      const plan = await this.planFor(request);
      if (plan.blockers.length) {
        toasts.show(plan.blockers[0], 'error');
        return;
      }
      const result = await call(bridge().storyboard.make(id, request));
      for (const problem of result.problems) toasts.show(problem, 'error', 10_000);
      if (result.sent.length) toasts.show(`Sent ${result.sent.length} ${result.sent.length === 1 ? 'take' : 'takes'} to RunComfy.`);
      await this.#reload();
    } catch (error) {
      handleError(error, 'The takes were not sent');
    } finally {
      this.#making = undefined;
    }
  }

  async #savePrompt(key: ShotKey): Promise<void> {
    clearTimeout(this.#timers.get(key));
    this.#timers.delete(key);
    const prompt = this.#drafts[key];
    if (prompt === undefined) return;
    await this.#setShot(key, { prompt });
    if (this.#drafts[key] === prompt) delete this.#drafts[key];
  }

  async #flushDrafts(): Promise<void> {
    await Promise.all([...this.#timers.keys()].map((key) => this.#savePrompt(key)));
  }

  #setShot(key: ShotKey, patch: ShotPatch): Promise<boolean> {
    return this.#change('The shot was not saved', (id) => bridge().storyboard.setShot(id, key, patch));
  }

  /** Runs one change to the open board and shows main's answer; false (after saying why) when it failed. */
  async #change(context: string, work: (id: StoryboardId) => Promise<Result<Storyboard>>): Promise<boolean> {
    const id = this.#openId;
    if (!id) return false;
    try {
      const board = await call(work(id));
      if (this.#openId === id) this.#apply(board);
      return true;
    } catch (error) {
      handleError(error, context);
      return false;
    }
  }

  #scheduleRefetch(): void {
    clearTimeout(this.#refetch);
    this.#refetch = setTimeout(() => void this.#reload(), 50);
  }

  async #reload(): Promise<void> {
    const id = this.#openId;
    if (!id) return;
    try {
      const board = await call(bridge().storyboard.get(id));
      if (this.#openId === id) this.#apply(board);
    } catch (error) {
      handleError(error, 'The storyboard could not be read again');
    }
  }

  #apply(board: Storyboard): void {
    this.#board = board;
    if (this.#shotToShow && !board.shots.some((shot) => shot.key === this.#shotToShow)) this.#shotToShow = undefined;
    this.#boardError = undefined;
    void this.#refreshPlan(board.id);
  }

  async #refreshPlan(id: StoryboardId): Promise<void> {
    try {
      const plan = await call(bridge().storyboard.plan(id, { shots: 'unpicked' }));
      if (this.#openId === id) this.#plan = plan;
    } catch {
      if (this.#openId === id) this.#plan = undefined;
    }
  }
}

export const storyboards = new StoryboardState();

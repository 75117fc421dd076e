/** The queue: open jobs as main's runner reports them, and the runner's own state. */
import type { CancelOutcome, QueueItem, RunnerState, UnknownDecision } from '$contract';
import { bridge, call } from '../lib/bridge';
import { listenAll } from './live.svelte';
import { handleError } from './toasts.svelte';

export class QueueState {
  #items = $state<QueueItem[]>([]);
  #runner = $state<RunnerState>({ open: 0 });
  #loaded = $state(false);
  /** Finished this session: kept on screen until dismissed, so a finish is not a disappearance. */
  #finished = $state<QueueItem[]>([]);

  get items(): readonly QueueItem[] {
    return this.#items;
  }
  get finished(): readonly QueueItem[] {
    return this.#finished;
  }
  get runner(): RunnerState {
    return this.#runner;
  }
  /** Why nothing can be written here while another Keyframe holds the library; undefined when this one can. */
  get readOnly(): string | undefined {
    return this.#runner.readOnly ? this.#runner.problem : undefined;
  }
  /**
   * While another Keyframe holds the library: says why under `what` (as main would), before any
   * dialog opens or anything is sent, and answers true.
   */
  refusedWhileReadOnly(what: string): boolean {
    const reason = this.readOnly;
    if (reason) handleError(new Error(reason), what);
    return reason !== undefined;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get activeCount(): number {
    return this.#items.length;
  }

  async load(): Promise<void> {
    const [items, runner] = await Promise.all([call(bridge().jobs.list()), call(bridge().jobs.state())]);
    this.#items = items;
    this.#runner = runner;
    this.#loaded = true;
  }

  listen(): () => void {
    return listenAll(
      bridge().on.jobsChanged((item) => this.#apply(item)),
      bridge().on.jobsRunner((state) => (this.#runner = state)),
      bridge().on.storyboardChanged((change) => {
        if (change.kind === 'deleted') this.#boardDeleted(change.id);
        else if (change.name !== undefined) this.#boardChanged(change.id, change.name);
      }),
    );
  }

  /** Its takes say its name as it is now (their shot numbers come with each job's next change). */
  #boardChanged(id: string, name: string): void {
    const stale = (item: QueueItem) => item.take?.storyboard?.id === id && item.take.storyboard.name !== name;
    const renamed = (item: QueueItem): QueueItem => (stale(item) ? { ...item, take: { ...item.take!, storyboard: { id, name } } } : item);
    if (this.#items.some(stale)) this.#items = this.#items.map(renamed);
    if (this.#finished.some(stale)) this.#finished = this.#finished.map(renamed);
  }

  /** Its takes stay in the queue, no longer leading to it. */
  #boardDeleted(id: string): void {
    const orphan = (item: QueueItem): QueueItem => (item.take?.storyboard?.id === id ? { ...item, take: { shot: item.take.shot } } : item);
    this.#items = this.#items.map(orphan);
    this.#finished = this.#finished.map(orphan);
  }

  cancel(id: string): Promise<CancelOutcome> {
    return call(bridge().jobs.cancel(id));
  }

  async decide(id: string, decision: UnknownDecision): Promise<void> {
    this.#apply(await call(bridge().jobs.decide(id, decision)));
  }

  retryDownload(id: string): Promise<null> {
    return call(bridge().jobs.retryDownload(id));
  }

  dismissFinished(id?: string): void {
    this.#finished = id ? this.#finished.filter((item) => item.id !== id) : [];
  }

  #apply(item: QueueItem): void {
    const open = isOpen(item);
    const index = this.#items.findIndex((existing) => existing.id === item.id);
    if (open) {
      if (index >= 0) this.#items[index] = item;
      else this.#items = [item, ...this.#items];
      return;
    }
    if (index >= 0) this.#items = this.#items.filter((existing) => existing.id !== item.id);
    this.#finished = [item, ...this.#finished.filter((existing) => existing.id !== item.id)].slice(0, 20);
  }
}

export function isOpen(item: QueueItem): boolean {
  return ['submitting', 'submit_unknown', 'queued', 'running'].includes(item.status) || !!item.download;
}

export const queue = new QueueState();

/**
 * Typed events from main's services to whichever shell carries them to the renderer (or the
 * headless CLI's progress lines). Services never listen here: they call each other through the
 * methods wired in services/index.ts.
 */
import type { EventName, EventPayload } from '../contract';

type Listener = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

export class EventBus {
  #listeners = new Set<Listener>();

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    for (const listener of this.#listeners) listener(name, payload);
  }

  /** Returns the function that removes the listener. */
  listen(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

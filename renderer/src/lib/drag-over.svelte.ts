/**
 * Whether a drag is over a drop target. `dragenter` and `dragleave` fire again for every child the
 * pointer crosses, so a flag would flicker: count the enters and leaves instead. Give the target
 * `ondragenter={drag.enter} ondragover={drag.over} ondragleave={drag.leave}` (named, not spread: a
 * spread makes Svelte set every attribute of the element through one generic diff) and call `end()`
 * from its drop handler.
 */
export class DragOver {
  #depth = $state(0);

  get active(): boolean {
    return this.#depth > 0;
  }

  readonly enter = (event: DragEvent): void => {
    event.preventDefault();
    this.#depth++;
  };

  readonly over = (event: DragEvent): void => event.preventDefault();

  readonly leave = (): void => {
    this.#depth = Math.max(0, this.#depth - 1);
  };

  end(): void {
    this.#depth = 0;
  }
}

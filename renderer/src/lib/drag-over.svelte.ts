/**
 * Whether a drag is over a drop target. `dragenter` and `dragleave` fire again for every child the
 * pointer crosses, so a flag would flicker: count the enters and leaves instead. Spread `handlers`
 * on the target and call `end()` from its drop handler.
 */
export class DragOver {
  #depth = $state(0);

  get active(): boolean {
    return this.#depth > 0;
  }

  readonly handlers = {
    ondragenter: (event: DragEvent): void => {
      event.preventDefault();
      this.#depth++;
    },
    ondragover: (event: DragEvent): void => event.preventDefault(),
    ondragleave: (): void => {
      this.#depth = Math.max(0, this.#depth - 1);
    },
  };

  end(): void {
    this.#depth = 0;
  }
}

import { describe, expect, it } from 'vitest';
import { DragOver } from './drag-over.svelte';

const dragEvent = (type: string) => new Event(type, { cancelable: true }) as DragEvent;

describe('DragOver', () => {
  it('stays over while the pointer crosses children, and ends on the last leave or the drop', () => {
    const drag = new DragOver();
    const enter = dragEvent('dragenter');
    drag.enter(enter);
    expect(enter.defaultPrevented).toBe(true);
    drag.enter(dragEvent('dragenter')); // into a child
    drag.leave(); // out of the target itself, into the child
    expect(drag.active).toBe(true);
    drag.leave();
    expect(drag.active).toBe(false);
    drag.leave(); // a stray leave never goes below zero
    drag.enter(dragEvent('dragenter'));
    expect(drag.active).toBe(true);
    drag.end();
    expect(drag.active).toBe(false);
  });

  it('accepts the drag over it, so the drop arrives', () => {
    const over = dragEvent('dragover');
    new DragOver().over(over);
    expect(over.defaultPrevented).toBe(true);
  });
});

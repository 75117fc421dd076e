import { describe, expect, it } from 'vitest';
import { gridLayout, moveSelection, scrollToShow, visibleRows } from './grid-layout';

const spec = { minColumnWidth: 220, gap: 16, cardHeight: (w: number) => (w * 9) / 16 + 64 };

describe('the gallery grid layout', () => {
  it('fits as many columns as the width allows and shares the spare width between them', () => {
    expect(gridLayout(1000, 100, spec)).toMatchObject({ columns: 4, columnWidth: 238 });
    expect(gridLayout(220, 100, spec).columns).toBe(1);
    expect(gridLayout(100, 100, spec).columns).toBe(1);
    expect(gridLayout(0, 100, spec).columns).toBe(1);
    const wide = gridLayout(2000, 10_000, spec);
    expect(wide.columns).toBe(8);
    expect(wide.rows).toBe(1250);
    expect(wide.height).toBe(1250 * wide.rowHeight - 16);
  });

  it('renders only the rows in view plus a margin, however long the list', () => {
    const layout = gridLayout(1000, 10_000, spec); // 4 columns, 2500 rows
    expect(visibleRows(layout, 0, 800, 2)).toEqual({ first: 0, last: Math.ceil(800 / layout.rowHeight) + 1 });
    const middle = visibleRows(layout, 250_000, 800, 2);
    expect(middle.last - middle.first + 1).toBeLessThanOrEqual(Math.ceil(800 / layout.rowHeight) + 4);
    expect(middle.first).toBe(Math.floor(250_000 / layout.rowHeight) - 2);
    const end = visibleRows(layout, layout.height, 800, 2);
    expect(end.last).toBe(layout.rows - 1);
    expect(visibleRows(gridLayout(1000, 0, spec), 0, 800)).toEqual({ first: 0, last: -1 });
  });

  it('scrolls just enough to show a selected card', () => {
    const layout = gridLayout(1000, 100, spec);
    expect(scrollToShow(layout, 0, 0, 800)).toBeUndefined();
    expect(scrollToShow(layout, 4 * 10, 0, 800)).toBe(11 * layout.rowHeight - 800);
    expect(scrollToShow(layout, 4, 3 * layout.rowHeight, 800)).toBe(layout.rowHeight);
  });

  it('moves the selection like a native grid', () => {
    expect(moveSelection('ArrowRight', 3, 10, 4, 3)).toBe(4);
    expect(moveSelection('ArrowRight', 9, 10, 4, 3)).toBe(9);
    expect(moveSelection('ArrowLeft', 0, 10, 4, 3)).toBe(0);
    expect(moveSelection('ArrowDown', 5, 10, 4, 3)).toBe(9);
    expect(moveSelection('ArrowDown', 6, 10, 4, 3)).toBe(6); // no card below: stay
    expect(moveSelection('ArrowUp', 2, 10, 4, 3)).toBe(2);
    expect(moveSelection('PageDown', 0, 100, 4, 3)).toBe(12);
    expect(moveSelection('PageUp', 5, 100, 4, 3)).toBe(0);
    expect(moveSelection('End', 0, 100, 4, 3)).toBe(99);
    expect(moveSelection('Home', 50, 100, 4, 3)).toBe(0);
    expect(moveSelection('x', 1, 10, 4, 3)).toBeUndefined();
    expect(moveSelection('ArrowDown', 0, 0, 4, 3)).toBeUndefined();
  });
});

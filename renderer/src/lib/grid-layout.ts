/**
 * The arithmetic of the virtualised gallery grid, kept pure so it is tested on its own: how many
 * columns fit, how tall a row is, and which rows the viewport (plus a margin) shows.
 */
export interface GridLayout {
  columns: number;
  columnWidth: number;
  rowHeight: number;
  rows: number;
  height: number;
}

export interface GridSpec {
  /** Cards never get narrower than this. */
  minColumnWidth: number;
  gap: number;
  /** Height of a card for a given width (poster by aspect ratio, plus its caption). */
  cardHeight: (width: number) => number;
}

export function gridLayout(width: number, count: number, spec: GridSpec): GridLayout {
  const usable = Math.max(0, width);
  const columns = Math.max(1, Math.floor((usable + spec.gap) / (spec.minColumnWidth + spec.gap)));
  const columnWidth = Math.max(1, (usable - spec.gap * (columns - 1)) / columns);
  const rowHeight = Math.round(spec.cardHeight(columnWidth)) + spec.gap;
  const rows = Math.ceil(count / columns);
  return { columns, columnWidth, rowHeight, rows, height: Math.max(0, rows * rowHeight - spec.gap) };
}

/** Rows to render: those in view plus `overscan` rows either side, clamped to the grid. */
export function visibleRows(layout: GridLayout, scrollTop: number, viewportHeight: number, overscan = 2): { first: number; last: number } {
  if (layout.rows === 0) return { first: 0, last: -1 };
  const first = Math.max(0, Math.floor(scrollTop / layout.rowHeight) - overscan);
  const last = Math.min(layout.rows - 1, Math.ceil((scrollTop + viewportHeight) / layout.rowHeight) + overscan - 1);
  return { first, last: Math.max(first, last) };
}

/** The scroll position that brings `index` into view, or undefined when it is already fully visible. */
export function scrollToShow(layout: GridLayout, index: number, scrollTop: number, viewportHeight: number): number | undefined {
  const row = Math.floor(index / layout.columns);
  const top = row * layout.rowHeight;
  const bottom = top + layout.rowHeight - 0;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return undefined;
}

/** Where a key moves the selection in a grid of `count` items, or undefined for other keys. */
export function moveSelection(key: string, index: number, count: number, columns: number, rowsPerPage: number): number | undefined {
  if (count === 0) return undefined;
  const clamp = (i: number) => Math.min(count - 1, Math.max(0, i));
  switch (key) {
    case 'ArrowRight':
      return clamp(index + 1);
    case 'ArrowLeft':
      return clamp(index - 1);
    case 'ArrowDown':
      return index + columns < count ? index + columns : index;
    case 'ArrowUp':
      return index - columns >= 0 ? index - columns : index;
    case 'PageDown':
      return clamp(index + columns * Math.max(1, rowsPerPage));
    case 'PageUp':
      return clamp(index - columns * Math.max(1, rowsPerPage));
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return undefined;
  }
}

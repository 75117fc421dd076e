/** The gallery's query in the user's terms (words, filters, dates as local days) and its translation for main. */
import type { LibraryQueryParsed, LibrarySort, StatusFilter } from '$contract';

export type DateRange = 'any' | 'today' | 'week' | 'month' | 'year' | 'custom';

/** Any job; jobs with a reported cost; jobs costing at least `minCost` dollars. */
export type CostFilter = 'any' | 'costed' | 'atLeast';

export interface LibraryFilters {
  text: string;
  status: StatusFilter;
  duration: 'any' | 5 | 10;
  date: DateRange;
  /** Local days (yyyy-mm-dd) for the custom range, both included. */
  from: string;
  to: string;
  favourites: boolean;
  cost: CostFilter;
  /** The amount typed for `atLeast`, in dollars. */
  minCost: string;
  sort: LibrarySort;
}

export const defaultFilters: Readonly<LibraryFilters> = {
  text: '',
  status: 'all',
  duration: 'any',
  date: 'any',
  from: '',
  to: '',
  favourites: false,
  cost: 'any',
  minCost: '',
  sort: 'newest',
};

export const PAGE_SIZE = 60;

const localDay = (day: string) => {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d);
};

/** The query's instants for the chosen dates: local calendar days, as the user sees them. */
export function dateBounds(filters: LibraryFilters, now = new Date()): { from?: string; to?: string } {
  const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const daysBack = { today: 0, week: 6, month: 29, year: 364 } as const;
  if (filters.date === 'any') return {};
  if (filters.date === 'custom') {
    const bounds: { from?: string; to?: string } = {};
    if (/^\d{4}-\d{2}-\d{2}$/.test(filters.from)) bounds.from = localDay(filters.from).toISOString();
    if (/^\d{4}-\d{2}-\d{2}$/.test(filters.to)) {
      const end = localDay(filters.to);
      end.setDate(end.getDate() + 1);
      bounds.to = end.toISOString();
    }
    return bounds;
  }
  const from = new Date(midnight);
  from.setDate(from.getDate() - daysBack[filters.date]);
  return { from: from.toISOString() };
}

/** The cost filter as main's `minCostUsd`: 0 for "has a cost"; an amount typed that is not one narrows nothing. */
export function minCostUsd(filters: LibraryFilters): number | undefined {
  if (filters.cost === 'costed') return 0;
  if (filters.cost !== 'atLeast') return undefined;
  const amount = Number(filters.minCost.trim().replace(/^\$/, ''));
  return filters.minCost.trim() !== '' && Number.isFinite(amount) && amount >= 0 && amount <= 1_000_000 ? amount : undefined;
}

/** True when anything narrows the list (sorting does not). */
export function isFiltered(filters: LibraryFilters): boolean {
  return (
    filters.text.trim() !== '' ||
    filters.status !== 'all' ||
    filters.duration !== 'any' ||
    filters.date !== 'any' ||
    filters.favourites ||
    minCostUsd(filters) !== undefined
  );
}

export function toQuery(filters: LibraryFilters, page: number): LibraryQueryParsed {
  return {
    text: filters.text,
    status: filters.status,
    duration: filters.duration,
    ...dateBounds(filters),
    favourites: filters.favourites,
    ...(minCostUsd(filters) !== undefined ? { minCostUsd: minCostUsd(filters) } : {}),
    sort: filters.sort,
    offset: page * PAGE_SIZE,
    limit: PAGE_SIZE,
  };
}

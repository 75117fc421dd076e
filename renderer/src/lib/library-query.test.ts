import { describe, expect, it } from 'vitest';
import { dateBounds, defaultFilters, isFiltered, PAGE_SIZE, toQuery } from './library-query';

describe('the gallery query', () => {
  const now = new Date(2026, 4, 14, 15, 30); // 14 May 2026, 15:30 local time

  it('turns date choices into instants at local midnight', () => {
    expect(dateBounds({ ...defaultFilters }, now)).toEqual({});
    expect(dateBounds({ ...defaultFilters, date: 'today' }, now)).toEqual({ from: new Date(2026, 4, 14).toISOString() });
    expect(dateBounds({ ...defaultFilters, date: 'week' }, now)).toEqual({ from: new Date(2026, 4, 8).toISOString() });
    expect(dateBounds({ ...defaultFilters, date: 'month' }, now)).toEqual({ from: new Date(2026, 3, 15).toISOString() });
  });

  it('includes both days of a custom range, and ignores a half-typed date', () => {
    expect(dateBounds({ ...defaultFilters, date: 'custom', from: '2026-05-01', to: '2026-05-03' }, now)).toEqual({
      from: new Date(2026, 4, 1).toISOString(),
      to: new Date(2026, 4, 4).toISOString(),
    });
    expect(dateBounds({ ...defaultFilters, date: 'custom', from: '2026-5', to: '' }, now)).toEqual({});
  });

  it('knows when anything narrows the list (sorting does not)', () => {
    expect(isFiltered(defaultFilters)).toBe(false);
    expect(isFiltered({ ...defaultFilters, sort: 'oldest' })).toBe(false);
    expect(isFiltered({ ...defaultFilters, text: '  ' })).toBe(false);
    expect(isFiltered({ ...defaultFilters, text: 'fox' })).toBe(true);
    expect(isFiltered({ ...defaultFilters, favourites: true })).toBe(true);
    expect(isFiltered({ ...defaultFilters, duration: 10 })).toBe(true);
  });

  it('asks main for one page at a time', () => {
    expect(toQuery({ ...defaultFilters, text: 'fox', status: 'failed' }, 3)).toEqual({
      text: 'fox',
      status: 'failed',
      duration: 'any',
      favourites: false,
      sort: 'newest',
      offset: 3 * PAGE_SIZE,
      limit: PAGE_SIZE,
    });
  });
});

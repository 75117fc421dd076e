import { describe, expect, it } from 'vitest';
import { dateBounds, defaultFilters, isFiltered, minCostUsd, PAGE_SIZE, toQuery } from './library-query';
import type { LibraryFilters } from './library-query';

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
    expect(isFiltered({ ...defaultFilters, cost: 'costed' })).toBe(true);
    expect(isFiltered({ ...defaultFilters, cost: 'atLeast', minCost: '' })).toBe(false);
  });

  it('turns the cost filter into a least amount: any cost is 0, a typed amount is read, a wrong one narrows nothing', () => {
    const least = (cost: LibraryFilters['cost'], minCost = '') => toQuery({ ...defaultFilters, cost, minCost }, 0).minCostUsd;
    expect(least('any', '5')).toBeUndefined();
    expect(least('costed')).toBe(0);
    expect(least('atLeast', '1.5')).toBe(1.5);
    expect(least('atLeast', ' $2 ')).toBe(2);
    expect(least('atLeast', '0')).toBe(0);
    expect(least('atLeast', '')).toBeUndefined();
    expect(least('atLeast', 'two')).toBeUndefined();
    expect(least('atLeast', '-1')).toBeUndefined();
    expect(minCostUsd({ ...defaultFilters, cost: 'atLeast', minCost: '1e9' })).toBeUndefined();
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

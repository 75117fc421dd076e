import { render, screen } from '@testing-library/svelte';
import { createRawSnippet } from 'svelte';
import { describe, expect, it } from 'vitest';
import EmptyState from './EmptyState.svelte';

describe('EmptyState', () => {
  it('announces its title as a labelled region with the explanation', () => {
    const children = createRawSnippet(() => ({ render: () => '<span>Jobs you submit appear here.</span>' }));
    render(EmptyState, { icon: 'queue', title: 'Nothing in the queue', children });
    const region = screen.getByRole('region', { name: 'Nothing in the queue' });
    expect(region).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Nothing in the queue' })).toBeTruthy();
    expect(region.textContent).toContain('Jobs you submit appear here.');
  });
});

import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { navigation } from '../state/navigation.svelte';
import Sidebar from './Sidebar.svelte';

describe('Sidebar', () => {
  it('marks the current place and moves with the arrow keys', async () => {
    navigation.go('create');
    render(Sidebar);
    const create = screen.getByRole('button', { name: /Create/ });
    expect(create.getAttribute('aria-current')).toBe('page');
    await fireEvent.keyDown(create, { key: 'ArrowDown' });
    expect(navigation.place).toBe('queue');
    expect(screen.getByRole('button', { name: /Queue/ }).getAttribute('aria-current')).toBe('page');
    await fireEvent.keyDown(screen.getByRole('button', { name: /Queue/ }), { key: 'ArrowUp' });
    await fireEvent.keyDown(screen.getByRole('button', { name: /Create/ }), { key: 'ArrowUp' });
    expect(navigation.place).toBe('storyboard');
  });

  it('opens settings from its button', async () => {
    render(Sidebar);
    await fireEvent.click(screen.getByRole('button', { name: /Settings/ }));
    expect(navigation.settingsOpen).toBe(true);
  });
});

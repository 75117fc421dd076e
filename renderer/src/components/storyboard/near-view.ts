/**
 * `use:nearView={show}` calls `show` once, when the element comes within about one and a half
 * shot cards of the visible part of the storyboard's strip (or of the window, outside a strip).
 * Where IntersectionObserver does not exist, `show` runs at once.
 */
import type { Action } from 'svelte/action';

/** How far beyond the visible strip a card is built ahead, so a scroll finds it ready. */
const AHEAD = '200px 660px';

export const nearView: Action<HTMLElement, () => void> = (element, show) => {
  if (typeof IntersectionObserver === 'undefined') {
    show();
    return {};
  }
  const observer = new IntersectionObserver(
    (entries) => {
      if (!entries.some((entry) => entry.isIntersecting)) return;
      observer.disconnect();
      show();
    },
    { root: element.closest<HTMLElement>('[data-strip]'), rootMargin: AHEAD },
  );
  observer.observe(element);
  return { destroy: () => observer.disconnect() };
};

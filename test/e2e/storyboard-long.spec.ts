/**
 * A full storyboard (30 keyframes, 29 shots, two finished takes each, made through the app's own
 * services as the bench makes it) opens with only the shot cards in view built; a card further
 * along shows a sketch of the same size with its prompt, and is built when the strip scrolls to
 * it or the keyboard's focus comes into it.
 */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { seedBoard } from '../../bench/support/board';
import { expect, test } from './fixtures';

test('a 29-shot board builds a card far along when it is scrolled to or tabbed into', async ({ app }) => {
  test.slow(true, '30 keyframes and 58 takes written through the services on a shared 2-core machine');
  const page = app.page;
  // The board goes in through the services in this process: only the carrier runs them here.
  const board = await seedBoard(app.services!, await mkdtemp(join(app.userDataDir, 'frames-')), 30, 'Thirty keyframes');

  await page.keyboard.press('Control+4');
  await page.getByRole('button', { name: `Open ${board.name}` }).click();
  const shots = page.getByTestId('shot');
  await expect(page.getByTestId('keyframe')).toHaveCount(30);
  await expect(shots).toHaveCount(29);
  await expect(shots.first()).toHaveAttribute('data-built', 'true');
  await expect(shots.first().getByRole('textbox', { name: 'Prompt' })).toHaveValue('@Image1 to @Image2, shot 1');
  await expect(shots.first().getByTestId('take')).toHaveCount(2);

  // The last card is a sketch: its prompt and takes readable, nothing of the editor or the videos.
  const last = shots.nth(28);
  await expect(last).toHaveAttribute('data-built', 'false');
  await expect(last.getByTestId('shot-sketch')).toContainText('@Image1 to @Image2, shot 29');
  await expect(last.getByTestId('shot-sketch')).toContainText('Take 1 picked');
  await expect(last.getByRole('textbox')).toHaveCount(0);
  // No take is a <video> until it is played: each shows its poster as a picture.
  await page.mouse.move(0, 0);
  await expect(page.locator('[data-testid="take"] video')).toHaveCount(0);
  // A sketch is as tall as a built card with as many takes (content, inside the card's padding).
  const heights = await shots.evaluateAll((cards) => {
    const padded = (card: Element) => card.getBoundingClientRect().height - 2 * 12 - 2;
    return { built: padded(cards[0]), sketch: cards[28].querySelector('[data-testid="shot-sketch"]')!.getBoundingClientRect().height };
  });
  expect(heights.sketch).toBeCloseTo(heights.built, 0);
  await app.screenshot('storyboard-long-open');

  // Scrolled to, it is built: its prompt editor and both takes, each its poster, nothing loaded.
  await page.locator('[data-strip]').evaluate((strip) => (strip.scrollLeft = strip.scrollWidth));
  await expect(last).toHaveAttribute('data-built', 'true');
  await expect(last.getByRole('textbox', { name: 'Prompt' })).toHaveValue('@Image1 to @Image2, shot 29');
  const posters = [];
  for (const number of [1, 2]) {
    const picture = last.getByRole('img', { name: `Take ${number}` });
    await expect(picture).toHaveJSProperty('complete', true);
    expect(await picture.evaluate((image: HTMLImageElement) => image.naturalWidth)).toBeGreaterThan(0);
    posters.push(await picture.getAttribute('src'));
  }
  await expect(last.locator('[data-testid="take"] video')).toHaveCount(0);
  // Hovered, a take becomes its video, with the same poster, and plays.
  await last.getByRole('img', { name: 'Take 1' }).scrollIntoViewIfNeeded();
  const box = (await last.getByRole('img', { name: 'Take 1' }).boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const video = last.locator('video[aria-label="Take 1"]');
  await expect(video).toHaveAttribute('poster', posters[0]!);
  await expect(last.getByRole('img', { name: 'Take 1' })).toHaveCount(0);
  await video.evaluate(
    (element: HTMLVideoElement) =>
      new Promise((playing) => (element.currentTime > 0 ? playing(true) : element.addEventListener('timeupdate', playing, { once: true }))),
  );
  // The pointer leaves: it stops there, before its end.
  await page.mouse.move(0, 0);
  await expect.poll(() => video.evaluate((element: HTMLVideoElement) => element.paused && !element.ended)).toBe(true);
  await last.getByRole('button', { name: 'Play side by side' }).scrollIntoViewIfNeeded();
  await expect(last.getByRole('button', { name: 'Picked take 1' })).toBeVisible();
  await app.screenshot('storyboard-long-end');

  // Tab from the last built card into the first card still a sketch: it is built and the focus goes
  // on to its first control; Shift+Tab into a sketch from the card after it lands on its last.
  const builtFlags = () => shots.evaluateAll((cards) => cards.map((card) => (card as HTMLElement).dataset['built'] === 'true'));
  const first = (await builtFlags()).indexOf(false);
  expect(first).toBeGreaterThan(0);
  await shots
    .nth(first - 1)
    .getByRole('button', { name: /^Make/ })
    .evaluate((button) => button.focus({ preventScroll: true }));
  await page.keyboard.press('Tab');
  await expect(shots.nth(first)).toHaveAttribute('data-built', 'true');
  await expect(shots.nth(first).getByRole('radio', { name: '5 s' })).toBeFocused();

  const lastSketch = (await builtFlags()).lastIndexOf(false);
  expect(lastSketch).toBeGreaterThan(first);
  await shots
    .nth(lastSketch + 1)
    .getByRole('radio', { name: '5 s' })
    .evaluate((radio) => radio.focus({ preventScroll: true }));
  await page.keyboard.press('Shift+Tab');
  await expect(shots.nth(lastSketch)).toHaveAttribute('data-built', 'true');
  await expect(shots.nth(lastSketch).getByRole('button', { name: /^Make/ })).toBeFocused();

  // A take far along leads to its shot: from the Library the board's view is built anew, whole at
  // once since a shot is to be shown, and shot 27 comes into view.
  await page.keyboard.press('Control+3');
  await page.getByRole('searchbox', { name: 'Search prompts' }).fill('"shot 27"');
  await page
    .getByRole('button', { name: /^@Image1 to @Image2, shot 27\./ })
    .first()
    .click();
  const detail = page.getByRole('dialog', { name: 'Job details' });
  await detail.getByRole('button', { name: `Storyboard ${board.name} · shot 27` }).click();
  await expect(detail).toBeHidden();
  await expect(page.getByRole('heading', { name: 'Shot 27', exact: true })).toBeInViewport();
  await expect(shots.nth(26)).toHaveAttribute('data-built', 'true');
});

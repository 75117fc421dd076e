/**
 * One writer per library: while another process (here the test, as the jobs CLI would) holds the
 * library's lease, the app shows a storyboard read-only and says why; a change is refused with
 * that reason and nothing is written; once the lease is released the app takes over and the
 * change goes through.
 */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { seedBoard } from '../../bench/support/board';
import { JobsLease } from '../../main/services/jobs/lease';
import { madeBoard } from './board-setup';
import { expect, test } from './fixtures';

test('while another Keyframe holds the library, a storyboard is shown read-only and a change is refused, then made once it is free', async ({
  app,
}) => {
  test.skip(!app.services, 'the lease is taken beside the app’s own services, reachable in carrier mode only');
  const board = await madeBoard(app.services!, app.userDataDir, 'Harbour at dawn', ['The tide comes in']);
  // A board whose takes are finished and picked: what read-only leaves on (play, export) and takes off (Pick).
  await seedBoard(app.services!, await mkdtemp(join(app.userDataDir, 'frames-')), 3, 'Finished cut');
  await app.close();
  const held = await JobsLease.take(join(app.userDataDir, 'library'), 'the jobs CLI (jobs run)', () => undefined);
  expect(held).toBeInstanceOf(JobsLease);
  const cli = held as JobsLease;
  try {
    const page = await app.launch();
    await page.keyboard.press('Control+4');
    // The list: a board can be opened, not made, renamed or deleted; each says why.
    for (const name of ['New storyboard', 'Rename Harbour at dawn', 'Delete Harbour at dawn']) {
      await expect(page.getByRole('button', { name })).toBeDisabled();
      await expect(page.getByRole('button', { name })).toHaveAttribute('title', /is sending and following the jobs/);
    }
    await page.getByRole('button', { name: 'Open Harbour at dawn' }).click();
    const banner = page.getByRole('status').filter({ hasText: 'can be played and exported' });
    await expect(banner).toHaveText(
      /^The jobs CLI \(jobs run\) \(pid \d+, since [\d:]+\) is sending and following the jobs in this library\. Keyframe shows them read-only and takes over when it ends\. Until then, this storyboard can be played and exported, not changed\.$/,
    );
    await app.screenshot('storyboard-read-only');
    // Nothing can be sent from here: the buttons say why.
    await expect(page.getByRole('button', { name: 'Make all' })).toBeDisabled();
    await expect(page.getByRole('button', { name: /^Make( again)? · 1 take$/ })).toHaveAttribute(
      'title',
      /is sending and following the jobs/,
    );

    // Nothing can be changed either: each control is off and says why; the prompt stays readable.
    const why = /is sending and following the jobs/;
    for (const control of [
      page.getByRole('button', { name: 'Rename' }),
      page.getByRole('combobox', { name: 'Takes per shot' }),
      page.getByRole('button', { name: 'Insert a keyframe at position 2' }),
      page.getByRole('button', { name: 'Remove keyframe 1' }),
      page.getByRole('button', { name: 'Replace keyframe 2' }),
      page.getByRole('radio', { name: '10 s' }),
      page.getByRole('toolbar', { name: 'Insert a frame token' }).getByRole('button').first(),
    ]) {
      await expect(control).toBeDisabled();
    }
    await expect(page.getByRole('button', { name: 'Rename' })).toHaveAttribute('title', why);
    await expect(page.getByRole('button', { name: 'Remove keyframe 1' })).toHaveAttribute('title', why);
    await expect(page.getByRole('radiogroup', { name: 'Shot 1 duration' })).toHaveAttribute('title', why);
    const prompt = page.getByRole('textbox', { name: 'Prompt' });
    await expect(prompt).toHaveValue('The tide comes in');
    await expect(prompt).not.toBeEditable();
    await expect(prompt).toHaveAttribute('title', why);

    // A change the keys still ask for (Delete on a keyframe) is refused by main, with the reason, and nothing is written.
    await page.getByRole('article', { name: /^Keyframe 1 of 2/ }).focus();
    await page.keyboard.press('Delete');
    await expect(page.getByRole('alert').filter({ hasText: 'The keyframe was not removed' })).toContainText(
      'The storyboard was not changed.',
    );
    await expect(page.getByTestId('keyframe')).toHaveCount(2);
    expect(app.services!.storyboard.get(board.id).keyframes).toHaveLength(2);
    // Enter (replace) says why at once: no dialog opens to choose a frame that could not go in.
    await page.getByRole('article', { name: /^Keyframe 2 of 2/ }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('alert').filter({ hasText: 'The keyframe was not put in the strip' })).toContainText(
      'is sending and following the jobs',
    );
    await expect(page.getByRole('dialog')).toHaveCount(0);

    // A finished board still plays and exports; its takes cannot be picked anew.
    await page.getByRole('button', { name: 'All storyboards' }).click();
    await page.getByRole('button', { name: 'Open Finished cut' }).click();
    await expect(page.getByTestId('shot')).toHaveCount(2);
    for (const pick of await page.getByRole('button', { name: /^(Pick|Picked) take \d$/ }).all()) {
      await expect(pick).toBeDisabled();
      await expect(pick).toHaveAttribute('title', /is sending and following the jobs/);
    }
    await expect(page.getByRole('button', { name: /^(Pick|Picked) take \d$/ })).toHaveCount(4);
    await expect(page.getByRole('button', { name: 'Play all' })).toBeEnabled();
    await expect(page.getByRole('button', { name: 'Seam preview' })).toBeEnabled();
    await expect(page.getByRole('button', { name: 'Play side by side' }).first()).toBeEnabled();
    await expect(page.getByRole('button', { name: /^Export MP4/ })).toBeEnabled();
    await page.getByRole('button', { name: 'All storyboards' }).click();
    await page.getByRole('button', { name: 'Open Harbour at dawn' }).click();
    await expect(banner).toBeVisible();

    // Create says so at once, and Make video waits for the library.
    await page.keyboard.press('Control+1');
    await expect(page.getByRole('status').filter({ hasText: 'a video can be prepared here, not sent' })).toContainText(
      'The jobs CLI (jobs run)',
    );
    await expect(page.locator('#submit-reason')).toHaveText('Nothing is sent until the library is free.');
    await expect(page.getByRole('button', { name: /^Make video/ })).toBeDisabled();
    await app.screenshot('create-read-only');

    // The library's jobs are shown, not changed: no favourite, no delete; S and Delete say why.
    await page.keyboard.press('Control+3');
    const card = page.getByRole('list', { name: 'Jobs' }).getByRole('listitem').first();
    const star = card.getByRole('button', { name: 'Favourite' });
    await expect(star).toBeDisabled();
    await expect(star).toHaveAttribute('title', /is sending and following the jobs/);
    await card.locator('button.open').focus();
    await page.keyboard.press('s');
    await expect(page.getByRole('alert').filter({ hasText: 'Could not change the favourite: The jobs CLI (jobs run)' })).toBeVisible();
    await page.keyboard.press('Delete');
    await expect(page.getByRole('alert').filter({ hasText: 'Could not delete the job: The jobs CLI (jobs run)' })).toBeVisible();
    await expect(page.getByRole('dialog')).toHaveCount(0);
    await expect(star).toHaveAttribute('aria-pressed', 'false');
    await page.keyboard.press('Control+4');

    // The lease released (the CLI ended): the app takes the library over, and the change goes through.
    await cli.release();
    await expect(banner).toBeHidden();
    await expect(prompt).toBeEditable();
    await expect(page.getByRole('button', { name: 'Remove keyframe 1' })).toBeEnabled();
    // Escape leaves the name as it was, and the dialog opens again at once, from the name it had.
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('textbox', { name: 'Name' }).fill('Not this one');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Rename' }).click();
    await expect(page.getByRole('textbox', { name: 'Name' })).toHaveValue('Harbour at dawn');
    await page.getByRole('textbox', { name: 'Name' }).fill('Harbour at night');
    await page.getByRole('dialog', { name: 'Rename storyboard' }).getByRole('button', { name: 'Rename' }).click();
    await expect(page.getByRole('heading', { name: 'Harbour at night' })).toBeVisible();
    expect(app.services!.storyboard.get(board.id).name).toBe('Harbour at night');
    await page.keyboard.press('Control+1');
    await expect(page.locator('#submit-reason')).toHaveText('Add a start frame.');
  } finally {
    await cli.release();
  }
});

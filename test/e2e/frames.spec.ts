import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as img from '../images';
import { CreatePage } from './create-page';
import { expect, test } from './fixtures';

const clip = resolve(import.meta.dirname, '../fixtures/video/clip-5s.mp4');

test('a bad pair: read the messages, fix each with one click, write a prompt with both tokens, and send it', async ({ app, fakeApi }) => {
  const page = app.page;
  const create = new CreatePage(page);
  const errors: string[] = [];
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));

  await expect(create.submit).toBeDisabled();
  await expect(create.reason).toHaveText('Add a start frame.');
  await app.screenshot('frames-empty');

  await create.drop('start', [{ name: 'panorama.jpg', type: 'image/jpeg', data: await img.makeImage(1044, 400, 'jpeg') }]);
  await create.drop('end', [{ name: 'tiny.png', type: 'image/png', data: await img.makeImage(300, 300, 'png') }]);

  await test.step('each failing rule shows the schema message and the measured value', async () => {
    const startFail = create.checks('start').getByRole('listitem', { name: /^Fail:/ });
    await expect(startFail).toHaveCount(1);
    await expect(startFail).toContainText('The aspect ratio range should be between 0.40 and 2.50.');
    await expect(startFail).toContainText('Aspect ratio 2.61: must be under 2.50');
    const endFail = create.checks('end').getByRole('listitem', { name: /^Fail:/ });
    await expect(endFail).toContainText('The uploaded image width and height must exceed 300 pixels.');
    await expect(endFail).toContainText('Width 300 px · Height 300 px: must be over 300 px');
    await expect(create.slot('start')).toContainText('JPEG · 1044 × 400 px · 14 KB · ratio 2.61');
    await expect(create.submit).toBeDisabled();
    await expect(create.reason).toHaveText(
      'Start frame: The aspect ratio range should be between 0.40 and 2.50. (2.61: must be under 2.50)',
    );
  });
  await app.screenshot('frames-bad-pair');
  await page.emulateMedia({ colorScheme: 'dark' }); // theme "Match system" follows it
  await app.screenshot('frames-bad-pair-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  await test.step('hovering the crop fix shows what it keeps; one click fixes the start frame', async () => {
    const crop = create.slot('start').getByRole('button', { name: 'Crop to 2.498' });
    await crop.hover();
    await expect(create.checks('start').getByRole('listitem', { name: /^Fail:/ })).toHaveClass(/highlight/);
    await app.screenshot('frames-crop-preview');
    await crop.click();
    await create.expectVerdict('start', 'ready');
    await expect(create.slot('start')).toContainText('999 × 400 px');
    await expect(create.slot('start')).toContainText('Cropped copy; your original is unchanged.');
  });

  await test.step('one click upscales the end frame just past 300 px', async () => {
    await create.slot('end').getByRole('button', { name: 'Upscale to 301 × 301' }).click();
    await create.expectVerdict('end', 'ready');
    await expect(create.slot('end')).toContainText('301 × 301 px');
  });
  await expect(create.reason).toHaveText('Write a prompt.');
  await expect(create.submit).toBeDisabled();

  await test.step('the prompt gets @Image1 and @Image2 from the insert buttons, shown as chips', async () => {
    await create.prompt.click();
    await page.keyboard.type('The camera glides from');
    await page.getByRole('button', { name: /@Image1/ }).click();
    await page.keyboard.type('to');
    await page.keyboard.press('Alt+2');
    await page.keyboard.type('at sunset');
    await expect(create.prompt).toHaveValue('The camera glides from @Image1 to @Image2 at sunset');
    await expect(page.locator('mark.start')).toHaveText('@Image1');
    await expect(page.locator('mark.end')).toHaveText('@Image2');
  });

  await expect(create.submit).toBeEnabled();
  await expect(create.reason).toHaveText('Ready to make a 5-second video.');
  await page.getByRole('radio', { name: '10 s' }).check();
  await expect(create.reason).toHaveText('Ready to make a 10-second video.');
  await app.screenshot('frames-ready');

  await page.evaluate(() => window.keyframe!.settings.set({ theme: 'dark' }));
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await app.screenshot('frames-ready-dark');

  await create.submit.click();
  await expect(page.getByText(/Sent to RunComfy/)).toBeVisible();
  expect(fakeApi.count('submit')).toBe(1);
  expect(fakeApi.submissions[0].body).toMatchObject({ prompt: 'The camera glides from @Image1 to @Image2 at sunset', duration: 10 });
  expect(errors).toEqual([]);
});

test('other ways in: the file dialog, paste, a web address, a video frame; swap, undo and clear', async ({ app }) => {
  const page = app.page;
  const create = new CreatePage(page);
  const dir = await mkdtemp(join(tmpdir(), 'kf-e2e-frames-'));
  const tiff = await img.write(dir, 'scan 写真.tiff', img.makeImage(900, 600, 'tiff'));
  const png = await img.makeImage(800, 450, 'png');
  const server = createServer((request, response) => {
    if (request.url === '/shots/dawn.png') {
      response.writeHead(200, { 'content-type': 'image/png' });
      response.end(png);
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  try {
    await test.step('the file dialog stages a TIFF, which converts in one click', async () => {
      app.platform.openDialogAnswers.push([tiff]);
      await create.slot('start').getByRole('button', { name: 'Choose start frame file' }).click();
      await expect(create.slot('start')).toContainText('scan 写真.tiff');
      await expect(create.checks('start').getByRole('listitem', { name: /^Fail:/ })).toContainText(
        'Type TIFF: must be one of jpg, jpeg, png, webp, gif, avif',
      );
      await create.slot('start').getByRole('button', { name: 'Convert to PNG' }).click();
      await create.expectVerdict('start', 'ready');
      await expect(create.slot('start')).toContainText('PNG · 900 × 600 px');
      expect(app.platform.calls.find((call) => call.kind === 'openDialog')).toMatchObject({ title: 'Choose the start frame' });
    });

    await test.step('undo goes back to the frame before the fix', async () => {
      await create.slot('start').getByRole('button', { name: 'Undo fix' }).click();
      await expect(create.slot('start')).toContainText('TIFF · 900 × 600 px');
      await create.slot('start').getByRole('button', { name: 'Convert to PNG' }).click();
      await create.expectVerdict('start', 'ready');
    });

    await test.step('an image pasted into a focused slot', async () => {
      await create.paste('end', [{ name: 'clipboard.png', type: 'image/png', data: png }]);
      await create.expectVerdict('end', 'ready');
      await expect(create.slot('end')).toContainText('PNG · 800 × 450 px');
    });

    await test.step('swap exchanges the two frames', async () => {
      await page.getByRole('button', { name: 'Swap frames' }).click();
      await expect(create.slot('start')).toContainText('800 × 450 px');
      await expect(create.slot('end')).toContainText('900 × 600 px');
    });

    await test.step('a web address is downloaded by main; a 404 gets a clear message', async () => {
      const slot = create.slot('end');
      await slot.getByRole('button', { name: 'End frame from a web address' }).click();
      await slot.getByLabel('Address of the end frame').fill(`${base}/shots/missing.png`);
      await slot.getByRole('button', { name: 'Fetch image' }).click();
      // The frame that was there stays; the failure is explained.
      await expect(page.getByRole('alert').filter({ hasText: 'The end frame was not replaced.' })).toContainText(
        'There is no file at this address (the server answered 404 Not Found). Check the address.',
      );
      await expect(slot).toContainText('900 × 600 px');
      await app.screenshot('frames-url-404');
      await slot.getByRole('button', { name: 'End frame from a web address' }).click();
      await slot.getByLabel('Address of the end frame').fill(`${base}/shots/dawn.png`);
      await slot.getByLabel('Address of the end frame').press('Enter');
      await create.expectVerdict('end', 'ready');
      await expect(slot).toContainText(`From 127.0.0.1:${new URL(base).port}`);
    });

    await test.step('a frame taken from a video: jump to the last frame and use it', async () => {
      await create.slot('end').locator('input[type=file]').setInputFiles(clip);
      const dialog = page.getByRole('dialog', { name: 'Pick the end frame from a video' });
      await expect(dialog.getByRole('button', { name: 'Use this frame' })).toBeEnabled();
      // The clip is 24 fps. The grabber detects that from the frames it shows while playing, which a
      // machine too busy to show every frame cannot do; then the user picks it, as done here.
      await dialog.getByLabel('Frame rate').selectOption('24');
      await dialog.getByRole('button', { name: 'Last' }).click();
      await expect(dialog).toContainText('frame 120 of 120');
      await dialog.getByRole('button', { name: 'Previous frame' }).click();
      await expect(dialog).toContainText('frame 119 of 120');
      await page.keyboard.press('End');
      await expect(dialog).toContainText('frame 120 of 120');
      await app.screenshot('frames-video-grab');
      await dialog.getByRole('button', { name: 'Use this frame' }).click();
      await expect(dialog).toBeHidden();
      await expect(create.slot('end')).toContainText('clip-5s frame 120');
      await expect(create.slot('end')).toContainText('PNG · 480 × 270 px');
      await create.slot('end').getByRole('button', { name: 'Upscale to 535 × 301' }).click();
      await create.expectVerdict('end', 'ready');
    });

    await test.step('clear empties a slot', async () => {
      await create.slot('end').getByRole('button', { name: 'Clear end frame' }).click();
      await expect(create.reason).toHaveText('Add an end frame.');
    });
  } finally {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    await rm(dir, { recursive: true, force: true });
  }
});

test('bad input gets a clear message and nothing breaks', async ({ app }) => {
  const page = app.page;
  const create = new CreatePage(page);

  await create.drop('start', [{ name: 'blank.png', type: 'image/png', data: Buffer.alloc(0) }]);
  await expect(create.slot('start').getByRole('alert')).toContainText('The file is empty (0 bytes).');
  await create.drop('end', [{ name: 'logo.svg', type: 'image/svg+xml', data: img.svg() }]);
  await expect(create.slot('end').getByRole('alert')).toContainText('This is an SVG drawing.');
  await expect(create.reason).toContainText('Start frame: The file is empty (0 bytes).');
  await app.screenshot('frames-bad-input');

  await create.drop('start', [{ name: 'half.jpg', type: 'image/jpeg', data: await img.truncated('jpeg') }]);
  await expect(create.slot('start')).toContainText('The image is damaged or incomplete: premature end of JPEG image');
  await expect(create.reason).toContainText('Start frame: The image is damaged or incomplete');

  await create.drop('end', [{ name: 'notes.jpg', type: 'image/jpeg', data: Buffer.from('not a picture at all') }]);
  await expect(create.slot('end').getByRole('alert')).toContainText('This file is not an image Keyframe can read.');

  // Two images dropped together fill both slots.
  await create.drop('start', [
    { name: 'one.webp', type: 'image/webp', data: await img.makeImage(640, 480, 'webp') },
    { name: 'two.avif', type: 'image/avif', data: await img.makeImage(640, 480, 'avif') },
  ]);
  await create.expectVerdict('start', 'ready');
  await create.expectVerdict('end', 'ready');
  await expect(create.slot('end')).toContainText('AVIF · 640 × 480 px');
});

test('a file over 10 MB is flagged with its size, and one click shrinks it under the limit', async ({ app }) => {
  const page = app.page;
  const create = new CreatePage(page);
  // Over the limit because of what follows the picture (as a phone's motion photo carries its clip):
  // the check and the shrink are as for any big JPEG, without minutes of re-encoding noise.
  const big = await img.jpegOfExactly(10_300_000, 1600, 1200);
  await create.drop('start', [{ name: 'raw-export.jpg', type: 'image/jpeg', data: big }]);
  const sizeRow = create.checks('start').getByRole('listitem', { name: /File size must be less than 10 MB/ });
  await expect(sizeRow).toHaveAttribute('aria-label', /^Fail:.*Size 1\d\.\d MB: must be under 10 MB/);
  await create.slot('start').getByRole('button', { name: 'Shrink under 10 MB' }).click();
  await create.expectVerdict('start', 'ready');
  await expect(sizeRow).toHaveAttribute('aria-label', /^Pass:/);
  await expect(create.slot('start')).toContainText('Shrunk copy; your original is unchanged.');
  await app.screenshot('frames-shrunk');
});

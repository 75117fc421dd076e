import { beforeEach, describe, expect, it, vi } from 'vitest';
import { frame, installFakeBridge, runnerIs } from '../test/fake-frames';
import { CreateForm, READ_ONLY_REASON } from './create.svelte';
import { toasts } from './toasts.svelte';

let fake: ReturnType<typeof installFakeBridge>;
let form: CreateForm;
beforeEach(() => {
  fake = installFakeBridge();
  form = new CreateForm();
});

const bytes = new Uint8Array([1, 2, 3]);

describe('the Create form', () => {
  it('says what is missing, in order, until everything is valid', async () => {
    expect(form.canSubmit).toBe(false);
    expect(form.blockingReason).toBe('Add a start frame.');
    await form.addBytes('start', 'a.png', bytes);
    expect(form.blockingReason).toBe('Add an end frame.');
    await form.addBytes('end', 'b.png', bytes);
    expect(form.blockingReason).toBe('Write a prompt.');
    form.prompt = '   ';
    expect(form.blockingReason).toBe('Write a prompt.');
    form.prompt = 'From @Image1 to @Image2';
    expect(form.canSubmit).toBe(true);
    expect(form.request).toMatchObject({ prompt: 'From @Image1 to @Image2', duration: 5 });
  });

  it('while another process holds the library, says so first, and sends nothing', async () => {
    await runnerIs({ open: 0, readOnly: true, problem: 'The jobs CLI (pid 7) is sending and following the jobs in this library.' });
    try {
      expect(form.blockingReason).toBe(READ_ONLY_REASON);
      await form.addBytes('start', 'a.png', bytes);
      await form.addBytes('end', 'b.png', bytes);
      form.prompt = 'From @Image1 to @Image2';
      expect(form.blockingReason).toBe(READ_ONLY_REASON);
      expect(form.canSubmit).toBe(false);
      await form.submit();
      expect(fake.jobs.submit).not.toHaveBeenCalled();
    } finally {
      await runnerIs({ open: 0 });
    }
    expect(form.canSubmit).toBe(true);
  });

  it('names the failing rule with the schema message and the value', async () => {
    fake.frames.addBytes.mockResolvedValueOnce({ ok: true, value: frame(1044, 400) });
    await form.addBytes('start', 'wide.jpg', bytes);
    expect(form.blockingReason).toBe('Start frame: The aspect ratio range should be between 0.40 and 2.50. (2.61: must be under 2.50)');
  });

  it('waits for the full decode, and blocks on a corrupt frame even when the header passed', async () => {
    const pending = frame(800, 600, { integrity: 'pending' });
    fake.frames.addBytes.mockResolvedValueOnce({ ok: true, value: pending });
    const stop = form.listen();
    await form.addBytes('start', 'half.jpg', bytes);
    expect(form.blockingReason).toBe('Checking every pixel of the start frame…');
    fake.emitIntegrity({ id: pending.id, integrity: 'corrupt', message: 'The image is damaged or incomplete.' });
    expect(form.blockingReason).toBe('Start frame: The image is damaged or incomplete.');
    stop();
  });

  it('applies an integrity verdict that arrives before the frame it is about', async () => {
    const early = frame(800, 600, { integrity: 'pending' });
    const stop = form.listen();
    fake.emitIntegrity({ id: early.id, integrity: 'ok' });
    fake.frames.addBytes.mockResolvedValueOnce({ ok: true, value: early });
    await form.addBytes('start', 'fast.png', bytes);
    expect(form.slots.start).toMatchObject({ status: 'ready', frame: { integrity: 'ok' } });
    stop();
  });

  it('shows an error in an empty slot, but keeps a frame that was there and explains in a toast', async () => {
    fake.frames.addBytes.mockResolvedValueOnce({ ok: false, error: { code: 'invalid_input', message: 'This is an SVG drawing.' } });
    await form.addBytes('start', 'logo.svg', bytes);
    expect(form.slots.start).toEqual({ status: 'error', message: 'This is an SVG drawing.' });

    await form.addBytes('end', 'good.png', bytes);
    fake.frames.addUrl.mockResolvedValueOnce({ ok: false, error: { code: 'invalid_input', message: 'There is no file at this address.' } });
    await form.addUrl('end', 'https://example.com/missing.png');
    expect(form.slots.end).toMatchObject({ status: 'ready', frame: { name: 'good.png' } });
    expect(toasts.items.at(-1)?.message).toBe('The end frame was not replaced. There is no file at this address.');
  });

  it('shows the verdict from a large file’s first bytes while the whole file is still on its way', async () => {
    // Just over the size that goes head first (2 × 256 KB): more would only cost time in jsdom.
    const big = new File([new Uint8Array(600 * 1024)], 'big.jpg', { type: 'image/jpeg' });
    const { checks } = frame(3000, 2000);
    fake.frames.inspectHead.mockResolvedValueOnce({
      ok: true,
      value: { format: 'jpeg', width: 3000, height: 2000, bytes: big.size, ratio: 1.5, checks },
    });
    let finish: (() => void) | undefined;
    fake.frames.addBytes.mockImplementationOnce(
      () => new Promise((resolve) => (finish = () => resolve({ ok: true, value: frame(3000, 2000) }))),
    );
    const adding = form.addFile('start', big);
    await vi.waitFor(() => expect(form.slots.start).toMatchObject({ status: 'loading', verdict: { width: 3000, bytes: big.size } }));
    expect(fake.frames.inspectHead.mock.calls[0][0]).toMatchObject({ size: big.size });
    expect(fake.frames.inspectHead.mock.calls[0][0].head.length).toBe(Math.ceil((256 * 1024) / 3) * 4);
    // The verdict may show before the whole file has even been read (it is read in parallel): the
    // slot stays loading until the whole file's answer comes, however late it is sent.
    await vi.waitFor(() => expect(finish).toBeTypeOf('function'));
    expect(form.slots.start).toMatchObject({ status: 'loading' });
    finish!();
    await adding;
    expect(form.slots.start).toMatchObject({ status: 'ready', frame: { width: 3000 } });
  });

  it('sends a small file whole, without the first-bytes step', async () => {
    await form.addFile('end', new File([new Uint8Array(1000)], 'small.png', { type: 'image/png' }));
    expect(fake.frames.inspectHead).not.toHaveBeenCalled();
    expect(fake.frames.addBytes).toHaveBeenCalledWith({ name: 'small.png', data: expect.any(String) });
  });

  it('drops an answer that arrives after a newer pick for the same slot', async () => {
    let finishSlow: (() => void) | undefined;
    fake.frames.addBytes.mockImplementation(async ({ name }) =>
      name === 'slow.png'
        ? new Promise((resolve) => (finishSlow = () => resolve({ ok: true, value: frame(800, 600, { name }) })))
        : { ok: true, value: frame(800, 600, { name }) },
    );
    const slow = form.addBytes('start', 'slow.png', bytes);
    await vi.waitFor(() => expect(finishSlow).toBeDefined());
    await form.addBytes('start', 'fast.png', bytes);
    finishSlow!();
    await slow;
    expect(form.slots.start).toMatchObject({ frame: { name: 'fast.png' } });
  });

  it('fixes a frame, can undo the fix, swaps and clears', async () => {
    fake.frames.addBytes.mockResolvedValueOnce({ ok: true, value: frame(1044, 400, { name: 'wide.jpg' }) });
    await form.addBytes('start', 'wide.jpg', bytes);
    await form.fix('start', 'crop');
    expect(fake.frames.fix).toHaveBeenCalledWith({ id: expect.any(String), kind: 'crop' });
    expect(form.slots.start).toMatchObject({ status: 'ready', frame: { width: 999 }, history: [{ name: 'wide.jpg' }] });
    form.undoFix('start');
    expect(form.slots.start).toMatchObject({ frame: { name: 'wide.jpg' }, history: [] });

    let finish!: () => void;
    fake.frames.addBytes.mockImplementationOnce(
      () => new Promise((resolve) => (finish = () => resolve({ ok: true, value: frame(800, 600, { name: 'end.png' }) }))),
    );
    const arriving = form.addBytes('end', 'end.png', bytes);
    expect(form.canSwap).toBe(false); // a frame still arriving stays in its slot
    form.swap();
    expect(form.slots.start).toMatchObject({ frame: { name: 'wide.jpg' } });
    await vi.waitFor(() => expect(finish).toBeTypeOf('function'));
    finish();
    await arriving;
    expect(form.canSwap).toBe(true);
    form.swap();
    expect(form.slots.start).toMatchObject({ frame: { name: 'end.png' } });
    expect(form.slots.end).toMatchObject({ frame: { name: 'wide.jpg' } });
    form.clear('end');
    expect(form.slots.end).toEqual({ status: 'empty' });
  });

  it('takes a hand-off from the library: prompt, duration and both frames as bytes', async () => {
    await form.receive({
      prompt: 'Continue the walk',
      duration: 10,
      start: { name: 'job-42 last frame.png', bytes },
      end: { name: 'next.png', bytes },
    });
    expect(form.prompt).toBe('Continue the walk');
    expect(form.duration).toBe(10);
    expect(form.slots.start).toMatchObject({ frame: { name: 'job-42 last frame.png' } });
    expect(fake.frames.addBytes).toHaveBeenCalledWith({ name: 'next.png', data: 'AQID' });
  });
});

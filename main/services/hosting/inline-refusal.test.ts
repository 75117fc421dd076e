/** Recognising RunComfy's refusal of inline frames, from the shapes the RunComfy client produces. */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../contract';
import { inlineRefusal } from './inline-refusal';

const inline = [{ host: 'data-uri' as const }, { host: 'data-uri' as const }];
const clientError = (status: number, details: Record<string, unknown> = {}) =>
  new AppError('invalid_input', `RunComfy refused the job (HTTP ${status}).`, { details: { status, ...details } });

describe('inlineRefusal', () => {
  it('recognises a 422 naming an image field and says plainly what to do', () => {
    const refusal = inlineRefusal(
      clientError(422, { fields: { start_image_url: 'Data URIs are not supported; give a publicly reachable https URL.' } }),
      inline,
    );
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal!.code).toBe('hosting');
    expect(refusal!.details).toMatchObject({ problem: 'inline-refused', action: 'openBucketSettings' });
    expect(refusal!.message).toBe(
      'RunComfy did not accept the frames sent inline in the request (it said: “start_image_url: Data URIs are not supported; give a publicly reachable https URL.”). ' +
        'Set up a storage bucket so Keyframe sends the frames as links, then try again.',
    );
  });

  it('recognises a 413 and a 400 about images without field names', () => {
    expect(inlineRefusal(clientError(413, { fields: {} }), inline)?.message).toMatch(/it said: “the request is too large”/);
    expect(inlineRefusal(clientError(400, { serverMessage: 'Invalid image input: base64 not allowed', fields: {} }), inline)).toBeDefined();
  });

  it('recognises a job that failed because an image could not be fetched', () => {
    const failed = {
      requestId: 'r1',
      state: 'failed',
      rawStatus: 'failed',
      message: 'Failed to download start_image_url: unsupported scheme',
    };
    expect(inlineRefusal(failed, inline)?.details).toMatchObject({ problem: 'inline-refused', serverMessage: failed.message });
    expect(inlineRefusal({ ...failed, message: 'Could not fetch the image from the given URL.' }, inline)).toBeDefined();
  });

  it('leaves alone failures that are about something else, and frames that did not go inline', () => {
    expect(inlineRefusal(clientError(422, { fields: { prompt: 'Prompt must not be empty' } }), inline)).toBeUndefined();
    expect(inlineRefusal(new AppError('bad_token', 'RunComfy refused the API token.'), inline)).toBeUndefined();
    expect(inlineRefusal({ state: 'failed', message: 'The model could not generate a video from these frames.' }, inline)).toBeUndefined();
    expect(inlineRefusal({ state: 'completed' }, inline)).toBeUndefined();
    expect(inlineRefusal(clientError(413), [{ host: 's3' }, { host: 'url' }])).toBeUndefined();
    expect(inlineRefusal(clientError(413), [{ host: 's3' }, { host: 'data-uri' }])).toBeDefined();
  });
});

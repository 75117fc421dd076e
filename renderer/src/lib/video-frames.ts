/**
 * Frames out of videos, decoded by Chromium (the app has no ffmpeg): a poster for the gallery, the
 * last frame or the frame on screen as the next job's start frame.
 */
export type FramePosition = 'poster' | 'last' | number;

export interface FrameImage {
  bytes: Uint8Array;
  type: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
}

function once(target: EventTarget, ok: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`the video did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
    const onOk = () => finish();
    const onError = () => finish(new Error('the video could not be decoded'));
    function finish(error?: Error) {
      clearTimeout(timer);
      target.removeEventListener(ok, onOk);
      target.removeEventListener('error', onError);
      if (error) reject(error);
      else resolve();
    }
    target.addEventListener(ok, onOk);
    target.addEventListener('error', onError);
  });
}

/** Draws the frame a `<video>` is showing now, scaled to at most `maxWidth`, as PNG or JPEG bytes. */
export async function captureFrame(
  video: HTMLVideoElement,
  type: FrameImage['type'] = 'image/png',
  maxWidth = Infinity,
): Promise<FrameImage> {
  const scale = Math.min(1, maxWidth / video.videoWidth);
  const width = Math.max(1, Math.round(video.videoWidth * scale));
  const height = Math.max(1, Math.round(video.videoHeight * scale));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('this window cannot draw images');
  context.drawImage(video, 0, 0, width, height);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, type, 0.86));
  if (!blob) throw new Error('the frame could not be encoded');
  return { bytes: new Uint8Array(await blob.arrayBuffer()), type, width, height };
}

/** Opens the video at `url` off screen, seeks to `at` and captures that frame. */
export async function grabFrame(
  url: string,
  at: FramePosition,
  options: { type?: FrameImage['type']; maxWidth?: number; timeoutMs?: number } = {},
): Promise<FrameImage> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  video.crossOrigin = 'anonymous';
  try {
    const loaded = once(video, 'loadeddata', timeoutMs);
    video.src = url;
    await loaded;
    const duration = Number.isFinite(video.duration) ? video.duration : 0;
    const time =
      at === 'poster' ? Math.min(1, duration * 0.2) : at === 'last' ? Math.max(0, duration - 0.001) : Math.min(Math.max(0, at), duration);
    if (time > 0) {
      const seeked = once(video, 'seeked', timeoutMs);
      video.currentTime = time;
      await seeked;
    }
    return await captureFrame(video, options.type, options.maxWidth);
  } finally {
    video.removeAttribute('src');
    video.load();
  }
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

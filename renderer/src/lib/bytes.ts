/** Bytes to base64 for the contract (which carries frames as JSON-safe strings). */
export function toBase64(bytes: Uint8Array): string {
  const native = (bytes as Uint8Array & { toBase64?: () => string }).toBase64;
  if (typeof native === 'function') return native.call(bytes);
  let binary = '';
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(binary);
}

const videoExtensions = /\.(mp4|m4v|mov|webm|mkv|ogv)$/i;

/** True for files the frame grabber should open rather than main's image inspector. */
export function isVideoFile(file: File): boolean {
  return file.type.startsWith('video/') || videoExtensions.test(file.name);
}

/** The first http(s) address in dropped or pasted text (a `text/uri-list` or plain text), if any. */
export function httpUrlIn(text: string | undefined | null): string | undefined {
  for (const line of (text ?? '').split(/\r?\n/)) {
    const candidate = line.trim();
    if (candidate.startsWith('#') || !candidate) continue;
    try {
      const url = new URL(candidate);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.href;
    } catch {
      // not an address
    }
    return undefined;
  }
  return undefined;
}

/** What a drop or a paste carries that can become a frame: image files, a video, or an image's address. */
export function framesIn(data: DataTransfer): { images: File[]; video?: File; url?: string } {
  const files = [...data.files];
  return {
    images: files.filter((file) => !isVideoFile(file)),
    video: files.find(isVideoFile),
    url: httpUrlIn(data.getData('text/uri-list') || data.getData('text/plain')),
  };
}

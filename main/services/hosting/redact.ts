/**
 * Pre-signed URLs carry a signature (never the secret key) that works as a password until it
 * expires, and data URIs carry whole frames: log addresses only through `urlForLog`.
 */
export function urlForLog(url: string): string {
  if (url.startsWith('data:')) return `${url.slice(0, url.indexOf(',') + 1 || 40)}…(${url.length} characters)`;
  try {
    const parsed = new URL(url);
    const signed = [...parsed.searchParams.keys()].some((key) => /^x-amz-|^signature$|^awsaccesskeyid$|^sig$|token/i.test(key));
    return parsed.search ? `${parsed.origin}${parsed.pathname}?${signed ? '[signed query removed]' : '[query removed]'}` : url;
  } catch {
    return '[unreadable address]';
  }
}

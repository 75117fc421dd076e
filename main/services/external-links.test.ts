import { describe, expect, it } from 'vitest';
import { RecordingPlatform } from '../../test/carrier/platform';
import { assertExternalLinkAllowed, EXTERNAL_LINKS, isExternalLinkAllowed } from './external-links';
import { TOKEN_PAGE_URL } from './runcomfy/token';

describe('external links', () => {
  it('allows exactly the links the app wrote, the token page among them', () => {
    expect(TOKEN_PAGE_URL).toBe(EXTERNAL_LINKS.runcomfyTokenPage);
    for (const link of Object.values(EXTERNAL_LINKS)) expect(isExternalLinkAllowed(link)).toBe(true);
    // The same address written differently is the same link.
    expect(isExternalLinkAllowed('HTTPS://WWW.RUNCOMFY.COM/profile')).toBe(true);
  });

  it.each([
    ['another page on the same site', 'https://www.runcomfy.com/profile/../logout'],
    ['a query added', 'https://www.runcomfy.com/profile?next=https://evil.example'],
    ['a fragment added', 'https://www.runcomfy.com/profile#x'],
    ['plain http', 'http://www.runcomfy.com/profile'],
    ['a look-alike host', 'https://www.runcomfy.com.evil.example/profile'],
    ['credentials that hide the real host', 'https://www.runcomfy.com@evil.example/profile'],
    ['user info on the right host', 'https://user:pass@www.runcomfy.com/profile'],
    ['another port', 'https://www.runcomfy.com:8443/profile'],
    ['a file', 'file:///etc/passwd'],
    ['script', 'javascript:alert(1)'],
    ['a custom scheme', 'ms-settings:privacy'],
    ['a data address', 'data:text/html,<script>alert(1)</script>'],
    ['garbage', 'not a url'],
    ['nothing', ''],
  ])('refuses %s', (_what, url) => {
    expect(isExternalLinkAllowed(url)).toBe(false);
    expect(() => assertExternalLinkAllowed(url)).toThrow(/opens only its own links/);
  });

  it('is enforced by the carrier platform the E2E tests use, as by Electron’s', async () => {
    const platform = new RecordingPlatform('/nonexistent');
    await expect(platform.openExternal('https://evil.example/')).rejects.toThrow(/opens only its own links/);
    await platform.openExternal(EXTERNAL_LINKS.runcomfyTokenPage);
    expect(platform.calls).toEqual([{ kind: 'openExternal', url: EXTERNAL_LINKS.runcomfyTokenPage }]);
  });
});

import { describe, expect, it } from 'vitest';
import { appOrigin, isAppUrl, isTrustedSender } from './trusted-origin';

describe('isAppUrl', () => {
  const entry = 'app://keyframe/index.html';
  it('accepts any page of our own app:// origin', () => {
    expect(isAppUrl(entry, entry)).toBe(true);
    expect(isAppUrl('app://keyframe/index.html#/library', entry)).toBe(true);
    expect(isAppUrl('app://keyframe/', entry)).toBe(true);
  });

  it.each([
    ['another custom scheme (Node gives both the origin "null")', 'evil://keyframe/index.html'],
    ['another host on our scheme', 'app://keyframe.evil/index.html'],
    ['credentials before the host', 'app://keyframe@evil/index.html'],
    ['user info on our host', 'app://user:pw@keyframe/index.html'],
    ['the media scheme', 'keyframe-media://keyframe/index.html'],
    ['a local file', 'file:///etc/passwd'],
    ['a web page', 'https://evil.example/index.html'],
    ['a data page', 'data:text/html,<script>1</script>'],
    ['about:blank', 'about:blank'],
    ['garbage', 'not a url'],
    ['nothing', ''],
  ])('refuses %s', (_what, url) => {
    expect(isAppUrl(url, entry)).toBe(false);
  });

  it('never trusts file: pages, even the entry itself (every local file would share that origin)', () => {
    const fileEntry = 'file:///opt/Keyframe/resources/app.asar/out/renderer/index.html';
    expect(isAppUrl(fileEntry, fileEntry)).toBe(false);
    expect(isAppUrl('file://attacker-share/opt/Keyframe/resources/app.asar/out/renderer/index.html', fileEntry)).toBe(false);
  });

  it('accepts only the dev server origin in development', () => {
    const dev = 'http://localhost:5173/';
    expect(isAppUrl('http://localhost:5173/some/path', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppUrl('https://localhost:5173/', dev)).toBe(false);
    expect(isAppUrl('http://localhost.evil.example:5173/', dev)).toBe(false);
  });
});

describe('appOrigin', () => {
  it('is the origin Chromium gives the page, for the CORS header of media responses', () => {
    expect(appOrigin('app://keyframe/index.html')).toBe('app://keyframe');
    expect(appOrigin('http://localhost:5173/')).toBe('http://localhost:5173');
  });
});

describe('isTrustedSender (the IPC wrapper’s check of every call)', () => {
  const entry = 'app://keyframe/index.html';
  const webContents = { id: 1 };
  const window = { webContents };
  const mainFrame = { parent: null, url: 'app://keyframe/index.html' };

  it('trusts our window’s main frame on our page', () => {
    expect(isTrustedSender({ sender: webContents, senderFrame: mainFrame }, window, entry)).toBe(true);
  });

  it.each([
    ['an iframe inside our page', { sender: webContents, senderFrame: { parent: mainFrame, url: 'app://keyframe/index.html' } }, window],
    [
      'our window after it navigated elsewhere',
      { sender: webContents, senderFrame: { parent: null, url: 'https://evil.example/' } },
      window,
    ],
    ['another web contents showing our page', { sender: { id: 2 }, senderFrame: mainFrame }, window],
    ['a frame that is gone', { sender: webContents, senderFrame: null }, window],
    ['any sender while there is no window', { sender: webContents, senderFrame: mainFrame }, undefined],
  ])('refuses %s', (_what, event, win) => {
    expect(isTrustedSender(event, win, entry)).toBe(false);
  });
});

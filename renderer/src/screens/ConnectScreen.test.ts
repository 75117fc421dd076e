import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildBridge } from '$contract/bridge';
import type { Result, TokenStatus } from '$contract';
import { token } from '../state/token.svelte';
import ConnectScreen from './ConnectScreen.svelte';

const base: TokenStatus = {
  state: 'missing',
  source: null,
  last4: null,
  keychainName: 'the macOS Keychain',
  keychainProblem: null,
  cliToken: null,
  api: { url: 'https://model-api.runcomfy.net', source: 'default' },
};
// jsdom has no modal dialogs; the E2E tests cover the real one in Chromium.
HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
  this.open = true;
};

let calls: string[];
let status: TokenStatus;

beforeEach(() => {
  calls = [];
  Object.defineProperty(window, 'keyframe', {
    configurable: true,
    value: buildBridge({
      invoke: async (channel): Promise<Result<unknown>> => {
        calls.push(channel);
        return { ok: true, value: channel === 'token:openTokenPage' ? null : status };
      },
      subscribe: () => () => {},
    }),
  });
});

async function show(next: TokenStatus) {
  status = next;
  await token.load();
  render(ConnectScreen);
}

describe('ConnectScreen', () => {
  it('says so when the token would go to another server than RunComfy', async () => {
    await show({ ...base, api: { url: 'http://127.0.0.1:8787', source: 'env' } });
    const note = screen.getByRole('note', { name: 'API address' }).textContent;
    expect(note).toContain('http://127.0.0.1:8787');
    expect(note).toContain('KEYFRAME_API_BASE_URL');
  });

  it('asks for a token on first run and says where it will be kept', async () => {
    await show(base);
    expect(screen.getByRole('heading', { name: 'Connect Keyframe to RunComfy' })).toBeTruthy();
    expect(screen.getByText('Kept in the macOS Keychain, sent only to RunComfy.')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: /Where do I get a token/ }));
    await waitFor(() => expect(calls).toContain('token:openTokenPage'));
  });

  it('explains a refused token by its last four characters', async () => {
    await show({ ...base, state: 'invalid', source: 'keychain', last4: 'wxyz' });
    expect(screen.getByRole('heading', { name: 'RunComfy no longer accepts your token' })).toBeTruthy();
    expect(screen.getByText(/Everything you were working on is still here/).textContent).toContain('…wxyz');
  });

  it('says what to install or unlock when the keychain cannot be used', async () => {
    await show({ ...base, keychainProblem: 'No keyring service is running. Install and start GNOME Keyring.' });
    expect(screen.getByRole('note', { name: 'Keychain' }).textContent).toContain('Install and start GNOME Keyring');
    expect(screen.queryByRole('note', { name: 'API address' })).toBeNull();
  });

  it("offers the CLI's token and imports it only on request", async () => {
    await show({ ...base, cliToken: { last4: 'c11a' } });
    expect(screen.getByText(/command-line tool is signed in/).textContent).toContain('…c11a');
    expect(calls).toEqual(['token:status']);
    await fireEvent.click(screen.getByRole('button', { name: 'Use that token' }));
    await waitFor(() => expect(calls).toEqual(['token:status', 'token:importCli']));
  });
});

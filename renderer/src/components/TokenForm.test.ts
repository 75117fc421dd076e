import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildBridge } from '$contract/bridge';
import type { Result, TokenStatus } from '$contract';
import { token } from '../state/token.svelte';
import TokenForm from './TokenForm.svelte';

const signedIn: TokenStatus = {
  state: 'set',
  source: 'keychain',
  last4: 'abcd',
  keychainName: 'k',
  keychainProblem: null,
  cliToken: null,
  api: { url: 'https://model-api.runcomfy.net', source: 'default' },
};

/** A stand-in for main: records calls and answers with the queued results. */
let calls: [string, unknown[]][];
let answers: Result<unknown>[];

beforeEach(() => {
  calls = [];
  answers = [];
  token.clearError();
  Object.defineProperty(window, 'keyframe', {
    configurable: true,
    value: buildBridge({
      invoke: async (channel, args) => {
        calls.push([channel, args]);
        return answers.shift() ?? { ok: true, value: signedIn };
      },
      subscribe: () => () => {},
    }),
  });
});
afterEach(() => {
  Object.defineProperty(navigator, 'clipboard', { configurable: true, value: undefined });
});

const field = () => screen.getByLabelText('API token') as HTMLInputElement;

describe('TokenForm', () => {
  it('shows and hides the token', async () => {
    render(TokenForm);
    expect(field().type).toBe('password');
    await fireEvent.click(screen.getByRole('button', { name: 'Show token' }));
    expect(field().type).toBe('text');
    expect(screen.getByRole('button', { name: 'Hide token' }).getAttribute('aria-pressed')).toBe('true');
    await fireEvent.click(screen.getByRole('button', { name: 'Hide token' }));
    expect(field().type).toBe('password');
  });

  it('sends the token to be verified, then forgets it', async () => {
    let saved = 0;
    render(TokenForm, { onsaved: () => saved++ });
    const submit = screen.getByRole('button', { name: 'Verify and save' }) as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    await fireEvent.input(field(), { target: { value: 'rc_token_123456' } });
    await fireEvent.click(submit);
    await waitFor(() => expect(saved).toBe(1));
    expect(calls).toEqual([['token:save', ['rc_token_123456']]]);
    expect(field().value).toBe('');
  });

  it('says what went wrong, keeps the text to fix, and clears the message on edit', async () => {
    answers.push({ ok: false, error: { code: 'bad_token', message: 'RunComfy did not accept this token. Check it.' } });
    render(TokenForm);
    await fireEvent.input(field(), { target: { value: 'rc_wrong_123456' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Verify and save' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('RunComfy did not accept this token');
    expect(field().value).toBe('rc_wrong_123456');
    expect(field().getAttribute('aria-invalid')).toBe('true');
    await fireEvent.input(field(), { target: { value: 'rc_wrong_1234567' } });
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('offers to keep the token for this session only when the keychain cannot be used', async () => {
    answers.push({ ok: false, error: { code: 'keychain_unavailable', message: 'No keyring service is running. Install gnome-keyring.' } });
    render(TokenForm);
    await fireEvent.input(field(), { target: { value: 'rc_token_123456' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Verify and save' }));
    expect((await screen.findByRole('alert')).textContent).toContain('RunComfy accepted the token, but it cannot be saved');
    await fireEvent.click(screen.getByRole('button', { name: 'Use it for this session only' }));
    await waitFor(() => expect(calls.at(-1)).toEqual(['token:save', ['rc_token_123456', { sessionOnly: true }]]));
  });

  it('pastes from the clipboard, or says how when the clipboard cannot be read', async () => {
    render(TokenForm);
    await fireEvent.click(screen.getByRole('button', { name: 'Paste' }));
    expect(await screen.findByText(/Ctrl\+V in the field to paste/)).toBeTruthy();
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { readText: async () => '  rc_pasted_token_99 \n' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Paste' }));
    await waitFor(() => expect(field().value).toBe('rc_pasted_token_99'));
    expect(document.activeElement).toBe(field());
  });
});

/**
 * The OS keychain disappears while the app runs (its gnome-keyring daemon is stopped, in a private
 * D-Bus session that cannot start another). The token already in memory keeps jobs going; keeping
 * a new token, or reading the bucket's secret, fails with a message that says what to start; no
 * job is lost and nothing is sent that could not be.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

describe('the keychain disappearing while the app runs', () => {
  it('keeps jobs going with the token in memory, and says what to start when it must read or write a secret', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kf-keychain-gone-'));
    await mkdir(join(dir, 'data'));
    await mkdir(join(dir, 'run'), { mode: 0o700 });
    // A session bus with no service files: nothing can start a new keyring once ours is gone.
    const config = join(dir, 'bus.conf');
    await writeFile(
      config,
      `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:dir=${dir}</listen>
<policy context="default"><allow send_destination="*"/><allow receive_sender="*"/><allow own="*"/></policy></busconfig>`,
    );
    const script =
      'printf pw | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 & ' +
      `KEYRING_PID=$! npx tsx ${join(root, 'test/faults/keychain-vanishes.ts')}`;
    const { stdout } = await run('dbus-run-session', [`--config-file=${config}`, '--', 'sh', '-c', script], {
      cwd: root,
      env: { ...process.env, XDG_DATA_HOME: join(dir, 'data'), XDG_RUNTIME_DIR: join(dir, 'run'), DISPLAY: '' },
      timeout: 60_000,
    });
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;

    expect(report['before']).toBe('set');
    expect(report['job']).toEqual({ ok: true, value: 'completed' });
    expect(report['tokenAfter']).toBe('set');
    expect(report['saveToken']).toMatchObject({ ok: false, code: 'keychain_unavailable' });
    expect((report['saveToken'] as { message: string }).message).toMatch(/no keyring service is running\. Install and start GNOME Keyring/);
    expect(report['keychainProblem']).toMatch(/no keyring service is running/);
    expect(report['bucketJob']).toMatchObject({ ok: false, code: 'hosting' });
    expect((report['bucketJob'] as { message: string }).message).toMatch(/no keyring service is running/);
    // One job sent (the first); the bucket job was never recorded or sent; nothing waits.
    expect(report['submissions']).toBe(1);
    expect(report['jobsInLibrary']).toBe(1);
    expect(report['openJobs']).toBe(0);
    expect(report['tokenInLog']).toBe(false);
  }, 60_000);
});

/**
 * Real storage faults for the fault tests: a small tmpfs to fill up, remounted read-only and back.
 * Mounting needs root (or password-less sudo), which CI and this machine have; a test that cannot
 * mount fails with a message saying so rather than pretending.
 */
import { execFile } from 'node:child_process';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function asRoot(command: string, args: string[]): Promise<void> {
  const root = process.getuid?.() === 0;
  try {
    await (root ? run(command, args) : run('sudo', ['-n', command, ...args]));
  } catch (error) {
    throw new Error(
      `The storage fault tests need to run "${command} ${args.join(' ')}" as root (mount a small tmpfs); that failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

export interface SmallDisk {
  dir: string;
  /** Writes a filler file until the disk is full, then gives back `leaveBytes`. */
  fill(leaveBytes?: number): Promise<void>;
  /** Removes the filler. */
  free(): Promise<void>;
  readOnly(): Promise<void>;
  writable(): Promise<void>;
  unmount(): Promise<void>;
}

export async function mountSmallDisk(dir: string, sizeMb = 16): Promise<SmallDisk> {
  await asRoot('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0755`, 'keyframe-fault-test', dir]);
  const filler = join(dir, 'filler.bin');
  return {
    dir,
    async fill(leaveBytes = 0) {
      const file = await open(filler, 'a');
      const chunk = Buffer.alloc(64 * 1024, 7);
      try {
        for (;;) await file.write(chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
      const { size } = await file.stat();
      await file.truncate(Math.max(0, size - leaveBytes));
      await file.close();
    },
    free: () => rm(filler, { force: true }),
    readOnly: () => asRoot('mount', ['-o', 'remount,ro', dir]),
    writable: () => asRoot('mount', ['-o', 'remount,rw', dir]),
    unmount: () => asRoot('umount', ['-l', dir]),
  };
}

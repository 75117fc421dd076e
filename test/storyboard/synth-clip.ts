/**
 * Encodes an H.264 clip from one of ffmpeg's lavfi test sources, for cases the fixture clips in
 * test/fixtures/video do not cover (a long clip, a heavy one). `output` adds output options such
 * as a length (`-t 150`) or a bit rate.
 */
import { execFileSync } from 'node:child_process';

export function synthClip(path: string, source: string, output: string[] = []): void {
  const input = ['-v', 'error', '-y', '-f', 'lavfi', '-i', source];
  execFileSync('ffmpeg', [...input, ...output, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', path]);
}

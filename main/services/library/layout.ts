/**
 * Where things live in a library folder:
 *
 *   <library>/library.db               the index (SQLite, WAL)
 *   <library>/<YYYY-MM>/<job-id>/      one folder per job: job.json, start.png, end.png, video.mp4, poster.jpg
 *   <library>/.incoming/<job-id>/      a new job's folder while it is being created
 *
 * Files being written carry the `.kftmp` suffix until they are complete.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export const DB_FILE = 'library.db';
export const MANIFEST_FILE = 'job.json';
export const INCOMING_DIR = '.incoming';
export const TEMP_SUFFIX = '.kftmp';
export const MONTH_DIR = /^\d{4}-\d{2}$/;
export const JOB_ID = /^\d{8}-\d{6}-[0-9a-z]{6}$/;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A new job id: UTC date and time, then 6 random base-36 characters. Sorts by creation time. */
export function newJobId(at: Date = new Date()): string {
  const stamp =
    `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}-` +
    `${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`;
  const random = [...randomBytes(6)].map((b) => (b % 36).toString(36)).join('');
  return `${stamp}-${random}`;
}

/** The job's folder relative to the library, e.g. `2026-05/20260514-153012-7k3m9q`. */
export function jobFolder(id: string): string {
  if (!JOB_ID.test(id)) throw new Error(`not a job id: ${id.slice(0, 40)}`);
  return `${id.slice(0, 4)}-${id.slice(4, 6)}/${id}`;
}

export const jobDir = (root: string, id: string) => join(root, jobFolder(id));
export const incomingDir = (root: string, id: string) => join(root, INCOMING_DIR, id);

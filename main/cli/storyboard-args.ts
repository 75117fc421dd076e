/** The `storyboard` CLI's commands, options and board file: parsed into one shape, or a UsageError saying what is wrong. */
import { z } from 'zod';
import { Duration } from '../contract/library';
import { MAX_KEYFRAMES, MAX_TAKES_PER_SHOT, MIN_KEYFRAMES, StoryboardId } from '../contract/storyboard';
import { parse, UsageError } from './jobs-args';

export const usage = `Usage:
  npm run storyboard -- make BOARD.json [--verbose]
  npm run storyboard -- export ID --out FILE.mp4 [--verbose]

make     reads {"keyframes": ["k0.png", …], "shots": [{"prompt": "…", "duration": 5}, …], "takes": N}
         (paths relative to the file; one shot per neighbouring pair of keyframes; takes 1-${MAX_TAKES_PER_SHOT}),
         makes the storyboard in the library, sends N takes of every shot, follows and downloads
         them, and picks the first completed take of each shot. Run again on the same file, it
         resumes the same storyboard and sends only the takes a shot still lacks. One JSON line at
         the end: {"storyboard": ID, "shots": [{"shot", "index", "picked", "takes": [{"jobId", "status", …}]}]}.
export   writes the picked takes of storyboard ID, in order, into one MP4 (a lossless remux) and a
         JSON sidecar beside it. One JSON line at the end: {"path", "duration_s", "sidecar"}.

Environment: as \`npm run jobs\`: RUNCOMFY_TOKEN (else the token saved in the app),
KEYFRAME_API_BASE_URL, KEYFRAME_LIBRARY (library folder), KEYFRAME_USER_DATA (settings folder).
Exit codes: 0 done; 1 a shot has no completed take, or the export failed; 2 bad arguments;
3 nothing was sent (a bad board file, a keyframe failed the checks, no token, …); 130 interrupted.`;

export type Command =
  { kind: 'help' } | { kind: 'make'; file: string; verbose: boolean } | { kind: 'export'; id: string; out: string; verbose: boolean };

export function parseStoryboardArgs(argv: string[]): Command {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('Say what to do: make or export.');
  if (command === 'help' || command === '--help' || command === '-h') return { kind: 'help' };
  if (command !== 'make' && command !== 'export') throw new UsageError(`Unknown command "${command.slice(0, 40)}". Use make or export.`);
  const verboseOption = { verbose: { type: 'boolean', default: false } } as const;
  const options = command === 'export' ? { ...verboseOption, out: { type: 'string' } as const } : verboseOption;
  const { values, positionals } = parse(command, rest, options, true);
  const verbose = values['verbose'] === true;
  if (command === 'make') {
    if (positionals.length !== 1) throw new UsageError('"make" takes one board file, e.g. make board.json.');
    return { kind: 'make', file: positionals[0], verbose };
  }
  if (positionals.length !== 1)
    throw new UsageError('"export" takes one storyboard id, e.g. export sb-20261202-010203-abc123 --out cut.mp4.');
  const id = StoryboardId.safeParse(positionals[0]);
  if (!id.success)
    throw new UsageError(`"${positionals[0].slice(0, 40)}" is not a storyboard id (they look like sb-20261202-010203-abc123).`);
  const out = values['out'];
  if (typeof out !== 'string' || !out.trim()) throw new UsageError('--out is required: the MP4 file to write.');
  return { kind: 'export', id: id.data, out: out.trim(), verbose };
}

/** The board file `make` reads. */
export const BoardFile = z
  .object({
    keyframes: z.array(z.string().min(1)).min(MIN_KEYFRAMES).max(MAX_KEYFRAMES),
    shots: z.array(z.object({ prompt: z.string().trim().min(1, 'a shot needs a prompt').max(2500), duration: Duration }).strict()),
    takes: z.number().int().min(1).max(MAX_TAKES_PER_SHOT),
  })
  .strict()
  .refine((board) => board.shots.length === board.keyframes.length - 1, {
    message: 'there is one shot per neighbouring pair of keyframes, so "shots" must have one entry fewer than "keyframes"',
  });
export type BoardFile = z.infer<typeof BoardFile>;

/** Reads the board file's text; throws a sentence naming what is wrong. */
export function parseBoardFile(text: string, name: string): BoardFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${name} is not valid JSON.`);
  }
  const parsed = BoardFile.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue.path.length ? ` at ${issue.path.join('.')}` : '';
  throw new Error(`${name} is not a board file${where}: ${issue.message}.`);
}

/** The `jobs` CLI's commands and options: parsed into one of a few shapes, or a UsageError saying what is wrong. */
import { parseArgs } from 'node:util';
import { SubmitJobRequest } from '../contract';

export const usage = `Usage:
  npm run jobs -- run --start FILE|URL --end FILE|URL --prompt TEXT [--duration 5|10] [--verbose]
  npm run jobs -- list [--open]
  npm run jobs -- resume [--resubmit-unknown | --abandon-unknown] [--verbose]

run      checks both frames as the app does, sends the job, follows it and downloads the video into
         the library. Progress goes to stderr; one JSON line to stdout at the end:
         {"jobId","requestId","status","videos":[paths],"error",…}.
list     prints one JSON line per job in the library, newest first (--open: unfinished jobs only).
resume   follows every unfinished job in the library to the end, by its request id; nothing is
         submitted again. A job whose submission was cut off ("submit_unknown") waits for your
         decision: --resubmit-unknown sends such jobs again (if RunComfy did get the first one,
         you pay twice), --abandon-unknown gives them up; or decide in the app's queue.

Environment: RUNCOMFY_TOKEN (else the token saved in the app), KEYFRAME_API_BASE_URL,
KEYFRAME_LIBRARY (library folder), KEYFRAME_USER_DATA (settings folder).
Exit codes: 0 done (every job completed, its video on disk); 1 a job did not complete or needs a
decision; 2 bad arguments; 3 nothing was sent (a frame failed the checks, no token, …); 130 interrupted.`;

export type Command =
  | { kind: 'help' }
  | { kind: 'run'; start: string; end: string; prompt: string; duration: 5 | 10; verbose: boolean }
  | { kind: 'list'; open: boolean }
  | { kind: 'resume'; unknown: 'ask' | 'resubmit' | 'abandon'; verbose: boolean };

export class UsageError extends Error {}

const frameHelp = 'a file path or an http(s) address';

export function parseJobsArgs(argv: string[]): Command {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('Say what to do: run, list or resume.');
  if (command === 'help' || command === '--help' || command === '-h') return { kind: 'help' };
  if (command === 'run') return parseRun(rest);
  if (command === 'list') {
    const { values } = parse(command, rest, { open: { type: 'boolean', default: false } });
    return { kind: 'list', open: values['open'] === true };
  }
  if (command === 'resume') {
    const { values } = parse(command, rest, {
      'resubmit-unknown': { type: 'boolean', default: false },
      'abandon-unknown': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    });
    if (values['resubmit-unknown'] && values['abandon-unknown']) {
      throw new UsageError('Choose one of --resubmit-unknown and --abandon-unknown, not both.');
    }
    const unknown = values['resubmit-unknown'] ? 'resubmit' : values['abandon-unknown'] ? 'abandon' : 'ask';
    return { kind: 'resume', unknown, verbose: values['verbose'] === true };
  }
  throw new UsageError(`Unknown command "${command.slice(0, 40)}". Use run, list or resume.`);
}

function parseRun(rest: string[]): Command {
  const { values } = parse('run', rest, {
    start: { type: 'string' },
    end: { type: 'string' },
    prompt: { type: 'string' },
    duration: { type: 'string', default: '5' },
    verbose: { type: 'boolean', default: false },
  });
  const need = (name: 'start' | 'end' | 'prompt', what: string): string => {
    const value = values[name];
    if (typeof value !== 'string' || !value.trim()) throw new UsageError(`--${name} is required: ${what}.`);
    return value.trim();
  };
  const start = need('start', `the start frame, ${frameHelp}`);
  const end = need('end', `the end frame, ${frameHelp}`);
  const prompt = SubmitJobRequest.shape.prompt.safeParse(values['prompt'] ?? '');
  if (!prompt.success) {
    if (!String(values['prompt'] ?? '').trim()) {
      throw new UsageError('--prompt is required: what happens between the frames (@Image1 is the start frame, @Image2 the end frame).');
    }
    const limit = SubmitJobRequest.shape.prompt.maxLength;
    throw new UsageError(`--prompt is ${String(values['prompt']).trim().length} characters long; the limit is ${limit}.`);
  }
  const duration = values['duration'];
  if (duration !== '5' && duration !== '10')
    throw new UsageError(`--duration is 5 or 10 (seconds), not "${String(duration).slice(0, 20)}".`);
  return { kind: 'run', start, end, prompt: prompt.data, duration: duration === '5' ? 5 : 10, verbose: values['verbose'] === true };
}

type Options = Parameters<typeof parseArgs>[0] extends infer P ? (P extends { options?: infer O } ? NonNullable<O> : never) : never;

/** Node's parseArgs, with its errors said in a sentence that names the command. */
export function parse(
  command: string,
  args: string[],
  options: Options,
  allowPositionals = false,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`"${command}" has no option ${quoted.slice(0, 40)}.`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new UsageError(`Unexpected "${quoted.slice(0, 40)}" after "${command}": values go after their option, e.g. --prompt "…".`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const option = /--[a-z-]+/.exec(message)?.[0] ?? 'This option';
      if (/does not take an argument/.test(message)) throw new UsageError(`${option} takes no value.`);
      throw new UsageError(`${option} needs a value (write ${option}=VALUE when the value starts with "-").`);
    }
    throw new UsageError(message);
  }
}

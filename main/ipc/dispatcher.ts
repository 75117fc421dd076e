/**
 * The single entry point for every call from the renderer, whatever carries it (Electron IPC or
 * the loopback carrier): the channel must be in the contract, the caller must be trusted, the
 * arguments must pass the channel's schema, and every outcome becomes a `Result`.
 */
import { z } from 'zod';
import { AppError, methods } from '../contract';
import type { ErrorInfo, MethodArgs, MethodName, MethodResult, Result } from '../contract';
import type { Logger } from '../services/log';

export type Handlers = {
  [M in MethodName]: (...args: MethodArgs<M>) => Promise<MethodResult<M>> | MethodResult<M>;
};

export interface DispatchOptions {
  log: Logger;
  /** Also parse each result against the contract (tests and the carrier); catches drift early. */
  checkResults?: boolean;
}

export type Dispatch = (channel: unknown, args: unknown, caller: { trusted: boolean }) => Promise<Result<unknown>>;

const fail = (error: ErrorInfo): Result<never> => ({ ok: false, error });

export function createDispatcher(handlers: Handlers, options: DispatchOptions): Dispatch {
  return async (channel, rawArgs, caller) => {
    if (typeof channel !== 'string' || !Object.hasOwn(methods, channel)) {
      return fail({ code: 'unknown_method', message: `Keyframe has no method called ${JSON.stringify(String(channel)).slice(0, 80)}.` });
    }
    const name = channel as MethodName;
    if (!caller.trusted) {
      options.log.warn('ipc', `refused ${name} from an untrusted caller`);
      return fail({ code: 'forbidden', message: 'This call did not come from the Keyframe window and was refused.' });
    }
    const spec = methods[name];
    const parsed = spec.args.safeParse(rawArgs);
    if (!parsed.success) {
      return fail({ code: 'invalid_argument', message: `Invalid arguments for ${name}: ${z.prettifyError(parsed.error)}` });
    }
    try {
      const handler = handlers[name] as (...args: unknown[]) => unknown;
      const value = await handler(...(parsed.data as unknown[]));
      if (options.checkResults) {
        const checked = spec.result.safeParse(value);
        if (!checked.success) throw new Error(`result of ${name} breaks the contract: ${z.prettifyError(checked.error)}`);
      }
      return { ok: true, value };
    } catch (error) {
      if (error instanceof AppError) return fail(error.toInfo());
      options.log.error('ipc', `${name} failed`, error);
      return fail({ code: 'internal', message: 'Something went wrong inside Keyframe. The details are in the log; please try again.' });
    }
  };
}

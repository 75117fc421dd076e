/**
 * The one contract between the renderer and main: every method the renderer may call and every
 * event main may push. The preload bridge, the IPC registrations, the test carrier and the
 * renderer's types are all built from these two lists. Imports nothing from Node, Electron or the DOM.
 *
 * Channel names are `domain:verb`. On the bridge they appear as `keyframe.domain.verb(...)` and
 * events as `keyframe.on.domainVerb(listener)`, which returns an unsubscribe function.
 */
import { z } from 'zod';
import { AppInfo } from './app';
import { AddFrameBytes, AddFrameUrl, ApplyFix, Frame, FrameIntegrityEvent, FrameRole, HeadVerdict, InspectHead } from './frames';
import { Settings, SettingsPatch } from './settings';

export * from './app';
export * from './errors';
export * from './frames';
export * from './settings';

interface MethodSpec {
  args: z.ZodTuple;
  result: z.ZodType;
}

const method = <A extends z.ZodTuple, R extends z.ZodType>(args: A, result: R) => ({ args, result });

export const methods = {
  'app:info': method(z.tuple([]), AppInfo),
  'settings:get': method(z.tuple([]), Settings),
  'settings:set': method(z.tuple([SettingsPatch]), Settings),
  'frames:pick': method(z.tuple([FrameRole]), Frame.nullable()),
  'frames:addBytes': method(z.tuple([AddFrameBytes]), Frame),
  'frames:inspectHead': method(z.tuple([InspectHead]), HeadVerdict),
  'frames:addUrl': method(z.tuple([AddFrameUrl]), Frame),
  'frames:fix': method(z.tuple([ApplyFix]), Frame),
} as const satisfies Record<string, MethodSpec>;

export const events = {
  'settings:changed': Settings,
  'frames:integrity': FrameIntegrityEvent,
} as const satisfies Record<string, z.ZodType>;

export type MethodName = keyof typeof methods;
export type EventName = keyof typeof events;
export type MethodArgs<M extends MethodName> = z.infer<(typeof methods)[M]['args']>;
export type MethodResult<M extends MethodName> = z.infer<(typeof methods)[M]['result']>;
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;

export const methodNames = Object.keys(methods) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

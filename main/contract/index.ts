/**
 * The one contract between the renderer and main: every method the renderer may call and every
 * event main may push. The preload bridge, the IPC registrations, the test carrier and the
 * renderer's types are all built from these two lists. Imports nothing from Node, Electron or the DOM.
 *
 * Channel names are `domain:verb`. On the bridge they appear as `keyframe.domain.verb(...)` and
 * events as `keyframe.on.domainVerb(listener)`, which returns an unsubscribe function.
 */
import { z } from 'zod';
import type { EventName, MethodName } from './channels';
import { AppInfo } from './app';
import { ConnectionTestResult, HostingStatus, InlinePlan, S3SecretInput } from './hosting';
import { AddFrameBytes, AddFrameUrl, ApplyFix, Frame, FrameIntegrityEvent, FrameRole, HeadVerdict, InspectHead } from './frames';
import { Settings, SettingsPatch } from './settings';
import { SaveTokenOptions, TokenInput, TokenStatus } from './token';
import { CancelOutcome, QueueItem, RunnerState, SubmitJobRequest, SubmitProgress, UnknownDecision } from './jobs';
import { PriceQuote, Spend } from './price';
import {
  ExportChunk,
  ExportProgress,
  ExportResult,
  ExportUploadId,
  KeyframeId,
  MakePlan,
  MakeRequest,
  MakeResult,
  PutKeyframe,
  ShotKey,
  ShotPatch,
  Storyboard,
  StoryboardChange,
  StoryboardId,
  StoryboardName,
  StoryboardPatch,
  StoryboardSummary,
} from './storyboard';
import { JobDetail, JobId, LibraryChange, LibraryInfo, LibraryPage, LibraryQuery, MoveProgress, MoveResult, PosterImage } from './library';

export * from './channels';
export * from './app';
export * from './errors';
export * from './hosting';
export * from './frames';
export * from './settings';
export * from './token';
export * from './library';
export * from './jobs';
export * from './price';
export * from './storyboard';

interface MethodSpec {
  args: z.ZodTuple;
  result: z.ZodType;
}

const method = <A extends z.ZodTuple, R extends z.ZodType>(args: A, result: R) => ({ args, result });

export const methods = {
  'app:info': method(z.tuple([]), AppInfo),
  'settings:get': method(z.tuple([]), Settings),
  'settings:set': method(z.tuple([SettingsPatch]), Settings),
  'token:status': method(z.tuple([]), TokenStatus),
  /** Checks the token with RunComfy, then keeps it (keychain, or memory with sessionOnly). */
  'token:save': method(z.tuple([TokenInput, SaveTokenOptions.optional()]), TokenStatus),
  /** Checks the token in use with RunComfy again. */
  'token:verify': method(z.tuple([]), TokenStatus),
  'token:remove': method(z.tuple([]), TokenStatus),
  /** Imports, with the user's consent, the token RunComfy's CLI saved on this computer. */
  'token:importCli': method(z.tuple([]), TokenStatus),
  /** Opens RunComfy's page where a token is made, in the browser (a fixed address). */
  'token:openTokenPage': method(z.tuple([]), z.null()),
  'library:info': method(z.tuple([]), LibraryInfo),
  'library:dismissNotice': method(z.tuple([]), z.null()),
  'library:list': method(z.tuple([LibraryQuery]), LibraryPage),
  /** What the jobs matching the query cost in all (the spend for a chosen period: the query's dates). */
  'library:spend': method(z.tuple([LibraryQuery]), Spend),
  'library:get': method(z.tuple([JobId]), JobDetail),
  'library:setFavourite': method(z.tuple([JobId, z.boolean()]), JobDetail),
  'library:savePoster': method(z.tuple([JobId, PosterImage]), z.object({ posterUrl: z.string() })),
  'library:saveVideoAs': method(z.tuple([JobId]), z.object({ path: z.string().optional() })),
  'library:reveal': method(z.tuple([JobId]), z.null()),
  'library:delete': method(z.tuple([JobId]), z.null()),
  'library:move': method(z.tuple([]), MoveResult),
  /** Which host will carry frames picked from this computer, and whether the bucket is complete. */
  'hosting:status': method(z.tuple([]), HostingStatus),
  /** Keeps the bucket's secret access key in the OS keychain; it is never sent back. */
  'hosting:setSecret': method(z.tuple([S3SecretInput]), HostingStatus),
  'hosting:clearSecret': method(z.tuple([]), HostingStatus),
  /** Uploads a tiny object, fetches it back through a pre-signed URL and deletes it, step by step. */
  'hosting:test': method(z.tuple([]), ConnectionTestResult),
  /** How a picked frame will travel if sent now: inline as is, re-encoded to fit (and its size), too large, or not inline. */
  'hosting:inlinePlan': method(z.tuple([z.string().min(1).max(100)]), InlinePlan),
  'frames:pick': method(z.tuple([FrameRole]), Frame.nullable()),
  'frames:addBytes': method(z.tuple([AddFrameBytes]), Frame),
  'frames:inspectHead': method(z.tuple([InspectHead]), HeadVerdict),
  'frames:addUrl': method(z.tuple([AddFrameUrl]), Frame),
  'frames:fix': method(z.tuple([ApplyFix]), Frame),
  /** Hosts both frames, records the job, sends it once; resolves when RunComfy has it (or refused it). */
  /** The model's price from RunComfy (kept a few minutes), or why it cannot be read; never fails. */
  'price:get': method(z.tuple([]), PriceQuote),
  'jobs:submit': method(z.tuple([SubmitJobRequest]), QueueItem),
  /** Open jobs: sending, queued, running, downloading, or waiting for the user's decision. */
  'jobs:list': method(z.tuple([]), z.array(QueueItem)),
  'jobs:state': method(z.tuple([]), RunnerState),
  'jobs:cancel': method(z.tuple([JobId]), CancelOutcome),
  'jobs:decide': method(z.tuple([JobId, UnknownDecision]), QueueItem),
  'jobs:retryDownload': method(z.tuple([JobId]), z.null()),
  'storyboard:list': method(z.tuple([]), z.array(StoryboardSummary)),
  'storyboard:create': method(z.tuple([StoryboardName]), Storyboard),
  'storyboard:get': method(z.tuple([StoryboardId]), Storyboard),
  'storyboard:update': method(z.tuple([StoryboardId, StoryboardPatch]), Storyboard),
  /** Deletes the board; its takes stay in the library unless `withJobs`. */
  'storyboard:delete': method(z.tuple([StoryboardId, z.object({ withJobs: z.boolean() }).strict()]), z.null()),
  'storyboard:putKeyframe': method(z.tuple([StoryboardId, PutKeyframe]), Storyboard),
  'storyboard:removeKeyframe': method(z.tuple([StoryboardId, KeyframeId]), Storyboard),
  'storyboard:moveKeyframe': method(z.tuple([StoryboardId, KeyframeId, z.number().int().min(0).max(29)]), Storyboard),
  /** Opens a keyframe as a picked frame (its checks and fixes), to fix it and put it back with `replace`. */
  'storyboard:openKeyframe': method(z.tuple([StoryboardId, KeyframeId]), Frame),
  'storyboard:setShot': method(z.tuple([StoryboardId, ShotKey, ShotPatch]), Storyboard),
  'storyboard:plan': method(z.tuple([StoryboardId, MakeRequest]), MakePlan),
  /** Sends the planned takes as ordinary jobs tagged with the board and shot; each is sent once. */
  'storyboard:make': method(z.tuple([StoryboardId, MakeRequest]), MakeResult),
  'storyboard:pick': method(z.tuple([StoryboardId, ShotKey, JobId.nullable()]), Storyboard),
  /** Asks where to save, then writes one MP4 of the picked takes and a JSON sidecar beside it. */
  'storyboard:export': method(z.tuple([StoryboardId]), ExportResult),
  /** One chunk of a re-encoded export (the `reencode` ticket `storyboard:export` gave), at its place in the file. */
  'storyboard:writeExport': method(z.tuple([ExportUploadId, z.number().int().nonnegative(), ExportChunk]), z.null()),
  /** Checks the re-encoded file's length, puts it in place and writes its sidecar. */
  'storyboard:finishExport': method(z.tuple([ExportUploadId]), ExportResult),
  /** Stops the board's export; a re-encoded one's partial file is removed. */
  'storyboard:cancelExport': method(z.tuple([StoryboardId]), z.null()),
  'storyboard:revealExport': method(z.tuple([z.string().min(1).max(4096)]), z.null()),
} as const satisfies Record<MethodName, MethodSpec>;

export const events = {
  'settings:changed': Settings,
  'token:changed': TokenStatus,
  'library:changed': LibraryChange,
  'library:moveProgress': MoveProgress,
  'hosting:changed': HostingStatus,
  'frames:integrity': FrameIntegrityEvent,
  'jobs:changed': QueueItem,
  'jobs:runner': RunnerState,
  'jobs:submitProgress': SubmitProgress,
  'storyboard:changed': StoryboardChange,
  'storyboard:exportProgress': ExportProgress,
} as const satisfies Record<EventName, z.ZodType>;

export type MethodArgs<M extends MethodName> = z.infer<(typeof methods)[M]['args']>;
export type MethodResult<M extends MethodName> = z.infer<(typeof methods)[M]['result']>;
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;

import { z } from 'zod';

/**
 * Frame hosting: how a frame on this computer becomes an address RunComfy can fetch.
 * auto: the bucket when one is set up, else inline. bucket: always the bucket. inline: always a data URI.
 */
export const HostingMode = z.enum(['auto', 'bucket', 'inline']);
export type HostingMode = z.infer<typeof HostingMode>;

/** The hosts a frame can travel by. url: the frame was picked as an http(s) address and goes as is. */
export const HostKind = z.enum(['url', 's3', 'data-uri']);
export type HostKind = z.infer<typeof HostKind>;

/** Pre-signed URLs are signed with SigV4, which allows at most 7 days. */
export const MAX_URL_LIFETIME_HOURS = 168;

/** An S3-compatible bucket. The secret access key is not here: it lives in the OS keychain. */
export const S3Settings = z.object({
  /** Empty means AWS S3 itself (the address follows from the region). */
  endpoint: z.string().default(''),
  region: z.string().default('us-east-1'),
  bucket: z.string().default(''),
  /** Folder inside the bucket for Keyframe's frames, without slashes at the ends. */
  prefix: z.string().default('keyframe'),
  /** Address the bucket as `endpoint/bucket/key` instead of `bucket.endpoint/key` (MinIO, most self-hosted servers). */
  pathStyle: z.boolean().default(false),
  accessKeyId: z.string().default(''),
  /** How long a pre-signed frame URL stays valid: long enough for a job that waits in RunComfy's queue. */
  urlLifetimeHours: z.number().int().min(1).max(MAX_URL_LIFETIME_HOURS).catch(24).default(24),
});
export type S3Settings = z.infer<typeof S3Settings>;

export const HostingSettings = z.object({
  mode: HostingMode.default('auto'),
  s3: S3Settings.prefault({}),
});
export type HostingSettings = z.infer<typeof HostingSettings>;

/** What the renderer may change; each rule's message is shown beside its field. */
export const S3SettingsPatch = z
  .object({
    endpoint: z.union([
      z.literal(''),
      z.url({ protocol: /^https?$/, error: 'Enter the endpoint as an http(s) address, or leave it empty for AWS S3.' }),
    ]),
    region: z.string().regex(/^[a-z0-9-]{1,32}$/, 'Enter a region such as us-east-1 (Cloudflare R2: auto).'),
    bucket: z.union([
      z.literal(''),
      z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]$/, 'A bucket name has 3 to 63 letters, digits, dots or hyphens.'),
    ]),
    prefix: z
      .string()
      .max(200, 'Keep the key prefix under 200 characters.')
      .regex(/^[A-Za-z0-9!_.*'()/-]*$/, "Use letters, digits and / - _ . ! * ' ( ) in the key prefix."),
    pathStyle: z.boolean(),
    accessKeyId: z
      .string()
      .max(128, 'That is too long to be an access key ID.')
      .regex(/^[\x21-\x7e]*$/, 'An access key ID has no spaces or special characters.'),
    urlLifetimeHours: z
      .number({ error: 'Enter a number of hours.' })
      .int('Enter a whole number of hours.')
      .min(1, 'Links must stay valid for at least 1 hour.')
      .max(MAX_URL_LIFETIME_HOURS, `Pre-signed links can stay valid for at most ${MAX_URL_LIFETIME_HOURS} hours (7 days).`),
  })
  .partial()
  .strict();
export type S3SettingsPatch = z.infer<typeof S3SettingsPatch>;

export const HostingSettingsPatch = z.object({ mode: HostingMode, s3: S3SettingsPatch }).partial().strict();
export type HostingSettingsPatch = z.infer<typeof HostingSettingsPatch>;

/** The bucket's secret access key as typed; main trims it and never hands it back. */
export const S3SecretInput = z.string().min(1, 'Enter the secret access key.').max(256, 'That is too long to be a secret access key.');

/** What the renderer may know about frame hosting (never the secret itself). */
export const HostingStatus = z.object({
  mode: HostingMode,
  /** What will carry frames picked from this computer, or null when none can (see `problem`). */
  host: z.enum(['s3', 'data-uri']).nullable(),
  /** Where frames go, to follow "Frames go to": "bucket “frames” at r2.example.com", "inline in the request". */
  summary: z.string(),
  /** Why frames cannot be sent as set up (mode "bucket" without a complete bucket), or null. */
  problem: z.string().nullable(),
  bucket: z.object({
    /** Bucket, access key ID and secret are all there. */
    configured: z.boolean(),
    /** What is still missing, in the user's words ("the bucket name", "the secret access key"). */
    missing: z.array(z.string()),
    name: z.string(),
    /** The server as the user knows it: "0123.r2.cloudflarestorage.com", "AWS S3 (eu-west-1)". */
    endpoint: z.string(),
  }),
  secretSet: z.boolean(),
  /** Where the secret is kept, as users know it ("the macOS Keychain"). */
  keychainName: z.string(),
  /** Why the keychain cannot be used right now, or null. */
  keychainProblem: z.string().nullable(),
});
export type HostingStatus = z.infer<typeof HostingStatus>;

/**
 * Why talking to the bucket failed, as the user can act on it. The same list names the step that
 * failed in "Test connection" and the reason an upload failed.
 */
export const HostingProblem = z.enum([
  'not-configured',
  'keychain',
  'credentials',
  'bucket',
  'region',
  'unreachable',
  'network',
  'timeout',
  'clock',
  'denied',
  'tls',
  'server',
  'fetch',
  'frame-missing',
  'frame-changed',
  'inline-refused',
  'inline-too-large',
  'other',
]);
export type HostingProblem = z.infer<typeof HostingProblem>;

export const ConnectionStep = z.object({
  id: z.enum(['upload', 'fetch', 'delete']),
  label: z.string(),
  state: z.enum(['ok', 'failed', 'warning', 'skipped']),
  /** What went wrong, or what to know. */
  message: z.string().optional(),
  ms: z.number().optional(),
});
export type ConnectionStep = z.infer<typeof ConnectionStep>;

export const ConnectionTestResult = z.object({
  ok: z.boolean(),
  steps: z.array(ConnectionStep),
  problem: HostingProblem.nullable(),
  /** One sentence: it works, or what failed and what to do. */
  message: z.string(),
  /** Things that work here but may stop RunComfy fetching frames (a bucket on this computer, plain http). */
  warnings: z.array(z.string()),
});
export type ConnectionTestResult = z.infer<typeof ConnectionTestResult>;

/**
 * RunComfy's own ComfyUI nodes refuse an inline image whose encoded bytes (before base64) are over
 * 6 MiB, "to fit the Model API request limit" (comfyui-runcomfy-partner-nodes, runcomfy/media.py,
 * MAX_IMAGE_BYTES); Keyframe sends no inline frame over it.
 */
export const INLINE_IMAGE_MAX_BYTES = 6 * 1024 * 1024;
/**
 * The nodes' cap on the whole JSON request body (runcomfy/client.py, MAX_REQUEST_BYTES). Two frames
 * under the per-image cap are at most 16 MiB of base64, so this one never binds for Keyframe.
 */
export const INLINE_REQUEST_MAX_BYTES = 64 * 1024 * 1024;

/** How one frame will travel if sent now, for the Create screen to say before anything is sent. */
export const InlinePlan = z.discriminatedUnion('kind', [
  /** A bucket or the frame's own address carries it: nothing to say about inline limits. */
  z.object({ kind: z.literal('not-inline') }),
  /** Inline, as it is. */
  z.object({ kind: z.literal('as-is'), bytes: z.number().int() }),
  /** Inline, as a re-encoded copy (same pixel size) under the cap; the user's file is untouched. */
  z.object({ kind: z.literal('re-encoded'), bytes: z.number().int(), fromBytes: z.number().int(), format: z.enum(['JPEG', 'WebP']) }),
  /** Even re-encoded it stays over the cap: only a bucket can carry it. */
  z.object({ kind: z.literal('too-large'), fromBytes: z.number().int(), message: z.string() }),
]);
export type InlinePlan = z.infer<typeof InlinePlan>;

/** What a renderer can offer next to a hosting message. */
export const HOSTING_ACTION = 'openBucketSettings';

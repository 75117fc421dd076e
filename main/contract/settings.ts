import { z } from 'zod';
import { HostingSettings, HostingSettingsPatch } from './hosting';

export const Theme = z.enum(['system', 'light', 'dark']);

/** User settings. Every field has a default so an old or partial file still loads. */
export const Settings = z.object({
  theme: Theme.default('system'),
  defaultDuration: z.union([z.literal(5), z.literal(10)]).default(5),
  /** Empty means the default RunComfy endpoint (or KEYFRAME_API_BASE_URL). */
  apiBaseUrl: z.string().default(''),
  /** Where the library lives; empty means `<userData>/library`. Changed only by moving the library. */
  libraryDir: z.string().default(''),
  /** How frames on this computer reach RunComfy (see hosting.ts). */
  hosting: HostingSettings.prefault({}),
});
export type Settings = z.infer<typeof Settings>;

export const SettingsPatch = z
  .object({
    theme: Theme,
    defaultDuration: z.union([z.literal(5), z.literal(10)]),
    apiBaseUrl: z.union([z.literal(''), z.url({ protocol: /^https?$/, error: 'Enter an http(s) address, or leave it empty.' })]),
    /** Merged into the current hosting settings field by field. */
    hosting: HostingSettingsPatch,
  })
  .partial()
  .strict();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

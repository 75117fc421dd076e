import { z } from 'zod';

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  /** How the renderer is connected to main: Electron IPC, or the loopback test/demo carrier; `headless`: the jobs CLI, no renderer. */
  shell: z.enum(['electron', 'carrier', 'headless']),
  platform: z.string(),
  userDataDir: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

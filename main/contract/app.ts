import { z } from 'zod';

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  /** How the renderer is connected to main: Electron IPC, or the loopback test/demo carrier. */
  shell: z.enum(['electron', 'carrier']),
  platform: z.string(),
  userDataDir: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

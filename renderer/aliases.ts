/** Import paths the renderer's code uses, for Vite (build and vitest); tsconfig.base.json names the same ones for TypeScript. */
import { fileURLToPath } from 'node:url';

export const rendererAliases = {
  /** The contract shared with main: types, schemas, model facts and formats. */
  $contract: fileURLToPath(new URL('../main/contract', import.meta.url)),
};

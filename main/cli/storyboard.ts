/**
 * `npm run storyboard -- make BOARD.json | export ID --out FILE.mp4`: storyboards without a window
 * (commands in storyboard-args.ts, the work in storyboard-main.ts).
 */
import { runCli } from './run-entry';

await runCli(() => import('./storyboard-main'));

import type { Bridge } from '../../main/contract/bridge';

declare global {
  interface Window {
    keyframe?: Bridge;
  }
}

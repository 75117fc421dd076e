/** Maps every contract method to the service that answers it. One line per method. */
import type { Services } from '../services';
import type { Handlers } from './dispatcher';

export function createHandlers(services: Services): Handlers {
  return {
    'app:info': () => services.appInfo(),
    'settings:get': () => services.settings.get(),
    'settings:set': (patch) => services.settings.set(patch),
    'frames:pick': (role) => services.frames.pick(role),
    'frames:addBytes': (input) => services.frames.addBytes(input),
    'frames:inspectHead': (input) => services.frames.inspectHead(input),
    'frames:addUrl': (input) => services.frames.addUrl(input),
    'frames:fix': (input) => services.frames.fix(input),
  };
}

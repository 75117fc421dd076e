/** Maps every contract method to the service that answers it. One line per method. */
import type { Services } from '../services';
import type { Handlers } from './dispatcher';

export function createHandlers(services: Services): Handlers {
  return {
    'app:info': () => services.appInfo(),
    'settings:get': () => services.settings.get(),
    'settings:set': (patch) => services.settings.set(patch),
    'token:status': () => services.token.status(),
    'token:save': (token, options) => services.token.save(token, options),
    'token:verify': () => services.token.verify(),
    'token:remove': () => services.token.remove(),
    'token:importCli': () => services.token.importFromCli(),
    'token:openTokenPage': () => services.token.openTokenPage(),
    'hosting:status': () => services.hosting.status(),
    'hosting:setSecret': (secret) => services.hosting.setSecret(secret),
    'hosting:clearSecret': () => services.hosting.clearSecret(),
    'hosting:test': () => services.hosting.test(),
  };
}

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
    'library:info': () => services.library.info(),
    'library:dismissNotice': () => services.library.dismissNotice(),
    'library:list': (query) => services.library.store.list(query),
    'library:get': (id) => services.library.store.detail(id),
    'library:setFavourite': (id, favourite) => services.library.setFavourite(id, favourite),
    'library:savePoster': (id, image) => services.library.savePoster(id, image),
    'library:saveVideoAs': (id) => services.library.saveVideoAs(id),
    'library:reveal': (id) => services.library.reveal(id),
    'library:delete': (id) => services.library.delete(id),
    'library:move': () => services.library.move(),
    'hosting:status': () => services.hosting.status(),
    'hosting:setSecret': (secret) => services.hosting.setSecret(secret),
    'hosting:clearSecret': () => services.hosting.clearSecret(),
    'hosting:test': () => services.hosting.test(),
    'frames:pick': (role) => services.frames.pick(role),
    'frames:addBytes': (input) => services.frames.addBytes(input),
    'frames:inspectHead': (input) => services.frames.inspectHead(input),
    'frames:addUrl': (input) => services.frames.addUrl(input),
    'frames:fix': (input) => services.frames.fix(input),
    'jobs:submit': (request) => services.jobs.submit(request),
    'jobs:list': () => services.jobs.runner.list(),
    'jobs:state': () => services.jobs.state(),
    'jobs:cancel': (id) => services.jobs.runner.cancel(id),
    'jobs:decide': (id, decision) => services.jobs.decide(id, decision),
    'jobs:retryDownload': (id) => (services.jobs.retryDownload(id), null),
  };
}

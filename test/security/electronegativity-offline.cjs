// Preloaded into electronegativity (NODE_OPTIONS=--require) by electronegativity.ts. The tool asks
// GitHub for translations and Electron's release list through `got`; CI has no internet, and got's
// retry timer then crashes the process after the scan. Here every such request fails at once, so
// the tool falls back to its bundled English texts. The release check itself is excluded (-x).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS preload, by design
const Module = require('node:module');
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === 'got') {
    const offline = () => Promise.reject(new Error('no network in this scan'));
    offline.head = offline;
    return offline;
  }
  return load.call(this, request, ...rest);
};

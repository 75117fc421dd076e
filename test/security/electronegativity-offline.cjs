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

// The tool writes its CSV report with two fs.writeFile calls it does not wait for: the header
// (flag 'w') and then the rows (flag 'a'). On a busy machine the header can land last, over the
// first row (seen in CI: the first finding began "ne'; script-src"). Here report writes happen at
// once, in the order the tool makes them.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
const fs = require('node:fs');
const writeFile = fs.writeFile;
fs.writeFile = function (file, data, ...rest) {
  const callback = typeof rest[rest.length - 1] === 'function' ? rest.pop() : undefined;
  if (typeof file !== 'string' || !file.endsWith('.csv')) return writeFile.call(this, file, data, ...rest, callback);
  let error = null;
  try {
    fs.writeFileSync(file, data, ...rest);
  } catch (caught) {
    error = caught;
  }
  if (callback) process.nextTick(callback, error);
};

/**
 * better-sqlite3 crashes (segfault, no message) on Node older than 22, and the library needs it.
 * Entry points that open the library check first and say what to do instead.
 */
export const MIN_NODE_MAJOR = 22;

/** The message to print when this Node is too old, or undefined when it will do. */
export function nodeTooOld(version: string = process.versions.node): string | undefined {
  const major = Number(version.split('.')[0]);
  if (major >= MIN_NODE_MAJOR) return undefined;
  return (
    `Keyframe's jobs CLI needs Node ${MIN_NODE_MAJOR} or newer, and this is Node ${version}. ` +
    'Run it through npm, which uses the Node 24 the project installs: npm run jobs -- …'
  );
}

/**
 * The app's logger. Every line passes through `redact`, which replaces any secret registered with
 * `addSecret` (the API token, the bucket secret), so a secret cannot reach a log by accident.
 */
export interface Logger {
  info(scope: string, message: string, detail?: unknown): void;
  warn(scope: string, message: string, detail?: unknown): void;
  error(scope: string, message: string, detail?: unknown): void;
  addSecret(secret: string): void;
}

export type LogSink = (line: string) => void;

export function createLogger(sink: LogSink = (line) => process.stderr.write(line + '\n')): Logger {
  const secrets = new Set<string>();
  const redact = (text: string) => {
    let out = text;
    for (const secret of secrets) out = out.split(secret).join('[redacted]');
    return out;
  };
  const describe = (detail: unknown): string => {
    if (detail === undefined) return '';
    if (detail instanceof Error) return ` ${detail.stack ?? detail.message}${detail.cause ? ` (cause: ${describe(detail.cause)})` : ''}`;
    try {
      return ' ' + JSON.stringify(detail);
    } catch {
      return ' ' + String(detail);
    }
  };
  const write = (level: string) => (scope: string, message: string, detail?: unknown) =>
    sink(redact(`${new Date().toISOString()} ${level} [${scope}] ${message}${describe(detail)}`));
  return {
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    addSecret: (secret) => {
      if (secret.length >= 4) secrets.add(secret);
    },
  };
}

import { describe, expect, it } from 'vitest';
import { createLogger } from './log';

describe('logger', () => {
  it('redacts registered secrets from messages, details and error stacks', () => {
    const lines: string[] = [];
    const log = createLogger((line) => lines.push(line));
    log.addSecret('rc_live_abcdef123456');
    log.info('client', 'using token rc_live_abcdef123456');
    log.error('client', 'failed', new Error('Bearer rc_live_abcdef123456 was refused'));
    log.warn('client', 'detail', { header: 'Authorization: Bearer rc_live_abcdef123456' });
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).not.toContain('rc_live_abcdef123456');
      expect(line).toContain('[redacted]');
    }
  });
});

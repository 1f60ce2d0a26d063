import { inspect } from 'node:util';
import type { Logger } from '@reconnect-kit/core';

/**
 * A Logger that keeps every record as the code under test passed it, unredacted, rendered deeply: if a secret is
 * handed to the logger anywhere, it shows up here.
 */
export class CapturingLogger implements Logger {
  readonly lines: string[] = [];

  debug(message: string, fields?: Record<string, unknown>): void {
    this.#keep('debug', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.#keep('info', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.#keep('warn', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.#keep('error', message, fields);
  }

  #keep(level: string, message: string, fields?: Record<string, unknown>): void {
    this.lines.push(`${level} ${message} ${inspect(fields ?? {}, { depth: 20, showHidden: true })}`);
  }
}

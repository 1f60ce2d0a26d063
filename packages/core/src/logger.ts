import type { Logger } from './ports.js';

/** Keys whose values are never logged (matched case-insensitively anywhere in the key). */
const SENSITIVE_KEY =
  /secret|token|password|passwd|authorization|api[-_]?key|cookie|signature|credential|private|sealed/i;
const REDACTED = '[redacted]';
const MAX_DEPTH = 8;

/**
 * A log-safe copy of `value`: values under sensitive keys are replaced, Errors become `{ name, code }` (their
 * messages can carry vendor text), and deep or circular structures are cut off.
 */
export function redact(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? '[function]' : value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return typeof code === 'string' ? { name: value.name, code } : { name: value.name };
  }
  if (seen.has(value) || depth >= MAX_DEPTH) return '[truncated]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SENSITIVE_KEY.test(key) ? REDACTED : redact(item, depth + 1, seen);
  }
  return out;
}

/** The default logger: drops everything. */
export class NoopLogger implements Logger {
  debug(): void {}
  info(): void {}
  warn(): void {}
  error(): void {}
}

/** A console logger that passes every field through `redact` (one JSON line per record). */
export class ConsoleLogger implements Logger {
  constructor(private readonly sink: Pick<Console, 'log' | 'error'> = console) {}

  debug(message: string, fields?: Record<string, unknown>): void {
    this.#write('debug', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.#write('info', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.#write('warn', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.#write('error', message, fields);
  }

  #write(level: string, message: string, fields?: Record<string, unknown>): void {
    const line = JSON.stringify({ level, message, ...(redact(fields ?? {}) as Record<string, unknown>) });
    if (level === 'error' || level === 'warn') this.sink.error(line);
    else this.sink.log(line);
  }
}

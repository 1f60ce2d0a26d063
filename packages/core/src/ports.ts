import type { UserNotification } from './types.js';

/** The fetch the adapters use for vendor calls (inject a recording or faulty one in tests). */
export type HttpFetch = typeof fetch;

/** Structured logger port. Reconnect Kit never passes secrets or tokens to it. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Called when a connection needs its end user: send an email or an in-app message. */
export interface Notifier {
  notify(notification: UserNotification): Promise<void>;
}

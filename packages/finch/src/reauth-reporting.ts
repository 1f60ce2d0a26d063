import type { ReconnectionServiceApi } from '@reconnect-kit/core';
import { classifyFinchErrorFacts, readFinchErrorFacts } from './classify-error.js';
import { classifyFinchJob, readFinchJob } from './job-results.js';

/** The part of the service the wrapper needs. */
export type ErrorReporter = Pick<ReconnectionServiceApi, 'reportError'>;

/**
 * Wraps a Finch SDK client (or any of its resources) so that every call that fails with an error about the connection
 * the user must fix (401 `reauthenticate_user`, `account_setup_required`, 403 permissions, a disconnected token) is
 * reported to `service.reportError(connectionId, error)` before the host sees it. The error is always rethrown;
 * transient errors (429, 5xx) are not reported: the SDK retries those and one slow minute is not a broken connection.
 *
 *   const finch = withReauthReporting(new Finch({ accessToken }), service, connection.id);
 *   await finch.hris.directory.list(); // a 401 reauthenticate_user marks the connection needs_reauth, then throws
 */
export function withReauthReporting<T extends object>(
  client: T,
  service: ErrorReporter,
  connectionId: string,
): T {
  const report = async (error: unknown): Promise<never> => {
    const facts = readFinchErrorFacts(error);
    const problem = facts === undefined ? undefined : classifyFinchErrorFacts(facts);
    if (problem !== undefined && problem.state !== 'degraded') {
      // Reporting must never hide the original error from the host.
      await service.reportError(connectionId, error).catch(() => undefined);
    }
    throw error;
  };
  const inspect = async (value: unknown): Promise<unknown> => {
    const job = readFinchJob(value);
    if (job !== undefined && classifyFinchJob(job) !== undefined) {
      await service.reportError(connectionId, value).catch(() => undefined);
    }
    return value;
  };
  return wrap(client, { report, inspect, proxies: new WeakMap() });
}

interface Wrapping {
  readonly report: (error: unknown) => Promise<never>;
  /** Looks at a successful result (a finished job may report a broken connection) and passes it on. */
  readonly inspect: (value: unknown) => Promise<unknown>;
  /** One proxy per wrapped object, so `finch.hris === finch.hris` still holds. */
  readonly proxies: WeakMap<object, object>;
}

function wrap<T extends object>(target: T, wrapping: Wrapping): T {
  const existing = wrapping.proxies.get(target);
  if (existing !== undefined) return existing as T;
  const proxy = new Proxy(target, {
    get(object, property) {
      // Read with the real object as receiver: SDK classes use private fields that a proxy receiver cannot reach.
      const value: unknown = Reflect.get(object, property);
      if (typeof value === 'function') {
        return (...args: unknown[]) => wrapResult(Reflect.apply(value, object, args), wrapping);
      }
      return typeof value === 'object' && value !== null ? wrap(value, wrapping) : value;
    },
  });
  wrapping.proxies.set(target, proxy);
  return proxy;
}

/** Promises (APIPromise, PagePromise) get the reporting rejection path; other objects (pages, clients) are wrapped. */
function wrapResult(result: unknown, wrapping: Wrapping): unknown {
  if (isThenable(result)) return guardPromise(result, wrapping);
  return typeof result === 'object' && result !== null ? wrap(result, wrapping) : result;
}

const PROMISE_METHODS = new Set<PropertyKey>(['then', 'catch', 'finally']);

function guardPromise(promise: PromiseLike<unknown> & object, wrapping: Wrapping): unknown {
  // Created on first use only: an unused guarded chain would surface as an unhandled rejection.
  let guarded: Promise<unknown> | undefined;
  return new Proxy(promise, {
    get(object, property) {
      if (PROMISE_METHODS.has(property)) {
        guarded ??= Promise.resolve(object).then(wrapping.inspect, wrapping.report);
        const method = Reflect.get(guarded, property) as (...args: unknown[]) => unknown;
        return method.bind(guarded);
      }
      // The SDK's extras (`withResponse()`, `asResponse()`, async iteration of pages) are reported the same way.
      const value: unknown = Reflect.get(object, property);
      if (typeof value === 'function') {
        return (...args: unknown[]) => wrapResult(Reflect.apply(value, object, args), wrapping);
      }
      return value;
    },
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> & object {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

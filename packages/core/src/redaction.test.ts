import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { registerExampleAccount } from './kit.test-helpers.js';
import { ConsoleLogger, redact } from './logger.js';
import type { Logger } from './ports.js';
import {
  createExampleKit,
  ExampleApiError,
  TEST_SECRET_BOX,
  TEST_STATE_SIGNING_KEY,
  TEST_WEBHOOK_SECRET,
} from './testing/index.js';
import type { ProviderConnection } from './types.js';

/** Captures everything a logger receives, verbatim. */
class CapturingLogger implements Logger {
  readonly records: unknown[] = [];
  debug(message: string, fields?: Record<string, unknown>): void {
    this.records.push({ level: 'debug', message, fields });
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.records.push({ level: 'info', message, fields });
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.records.push({ level: 'warn', message, fields });
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.records.push({ level: 'error', message, fields });
  }
}

describe('redact', () => {
  it('replaces sensitive keys at any depth and reduces errors to name and code', () => {
    const input = {
      connectionId: 'conn_1',
      nested: { accessToken: 'tok_1', api_key: 'k', list: [{ clientSecret: 's', ok: 1 }] },
      Authorization: 'Bearer x',
      error: Object.assign(new Error('token tok_2 rejected'), { code: 'upstream_error' }),
    };
    expect(redact(input)).toEqual({
      connectionId: 'conn_1',
      nested: {
        accessToken: '[redacted]',
        api_key: '[redacted]',
        list: [{ clientSecret: '[redacted]', ok: 1 }],
      },
      Authorization: '[redacted]',
      error: { name: 'Error', code: 'upstream_error' },
    });
  });

  it('survives cycles', () => {
    const a: Record<string, unknown> = { id: 1 };
    a.self = a;
    expect(redact(a)).toEqual({ id: 1, self: '[truncated]' });
  });

  it('ConsoleLogger writes redacted JSON lines', () => {
    const lines: string[] = [];
    const logger = new ConsoleLogger({
      log: (line: string) => lines.push(line),
      error: (line: string) => lines.push(line),
    });
    logger.warn('hello', { token: 'tok_secret', connectionId: 'c' });
    expect(JSON.parse(lines[0] as string)).toEqual({
      level: 'warn',
      message: 'hello',
      token: '[redacted]',
      connectionId: 'c',
    });
  });
});

describe('secrets never leak', () => {
  it('through logs, errors, connections, outbox or the ProviderConnection across a full lifecycle', async () => {
    const logger = new CapturingLogger();
    const kit = createExampleKit({ logger, store: { kind: 'sqlite', path: ':memory:' } });
    const secrets = ['tok_original_SECRET', 'tok_renewed_SECRET', 'code_SECRET'];
    const seenByProvider: ProviderConnection[] = [];
    const fetchStatus = kit.provider.fetchStatus.bind(kit.provider);
    kit.provider.fetchStatus = (connection) => {
      seenByProvider.push(connection);
      return fetchStatus(connection);
    };
    const errors: unknown[] = [];
    const capture = async (promise: Promise<unknown>) =>
      promise.catch((error: unknown) => errors.push(error));

    const connection = await registerExampleAccount(kit, { token: 'tok_original_SECRET' });
    await kit.service.checkStatus(connection.id);
    await kit.service.reportError(connection.id, new ExampleApiError(401, 'login_required'));
    const { action } = await kit.service.startReconnection(connection.id);
    const state = (action as { state: string }).state;
    kit.vendor.failNext('exchange', new Error('vendor said: bad token tok_original_SECRET'));
    await capture(kit.service.completeReconnection({ state, code: 'code_SECRET' }));
    kit.vendor.issueCode('code_SECRET', {
      accountId: 'acc_1',
      ownerId: 'owner_1',
      token: 'tok_renewed_SECRET',
    });
    const outcome = await kit.service.completeReconnection({ state, code: 'code_SECRET' });
    await capture(kit.service.completeReconnection({ state: `${state}x`, code: 'code_SECRET' }));
    kit.service.subscribe(() => {
      throw new Error('handler failed holding tok_renewed_SECRET');
    });
    await kit.service.deliverOutbox();
    await kit.service.checkStatus(connection.id);

    expect(seenByProvider.at(-1)?.secrets.token).toBe('tok_renewed_SECRET');
    expect(errors).toHaveLength(2);
    const surfaces = [
      inspect(logger.records, { depth: 12 }),
      JSON.stringify(await kit.service.getConnection(connection.id)),
      JSON.stringify(outcome),
      JSON.stringify(await kit.store.listOutbox({ limit: 500 })),
      JSON.stringify(await kit.store.listIgnoredSignals({})),
      ...errors.map((error) => `${(error as Error).message} ${JSON.stringify(error)}`),
      ...seenByProvider.map((pc) => `${JSON.stringify(pc)} ${inspect(pc)} ${JSON.stringify({ ...pc })}`),
    ].join('\n');
    expect(logger.records.length).toBeGreaterThan(3);
    for (const secret of [
      ...secrets,
      state,
      TEST_STATE_SIGNING_KEY,
      TEST_WEBHOOK_SECRET,
      ...TEST_SECRET_BOX.keys.map((k) => k.key),
    ]) {
      expect(surfaces).not.toContain(secret);
    }
    await kit.store.close();
  });
});

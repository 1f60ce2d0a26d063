/**
 * The conformance suite catches broken adapters: each case wraps a real adapter with exactly ONE rule broken, runs
 * the suite's rule functions against the live mock, and expects that rule to fail with a message naming it (and,
 * where it shows the break is targeted, a neighbouring rule to still pass).
 */
import { randomUUID } from 'node:crypto';
import {
  type ConformanceSuite,
  createConformanceSuite,
  type ProviderConformanceOptions,
  type ProviderSetup,
} from '@reconnect-kit/contract-tests';
import { LOGGER, type Logger, type ReconnectionProvider } from '@reconnect-kit/core';
import { startArgyleMock } from '@reconnect-kit/mock-argyle';
import { startFinchMock } from '@reconnect-kit/mock-finch';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { argyleConformance } from './argyle.conformance.js';
import { finchConformance } from './finch.conformance.js';

type Overrides = (
  real: ReconnectionProvider,
  setup: ProviderSetup<Record<string, unknown>>,
) => Partial<ReconnectionProvider>;

/** The real provider, every method delegated, except the ones `overrides` replaces. */
function broken<C extends Record<string, unknown>>(
  base: ProviderConformanceOptions<C>,
  mockUrl: string,
  overrides: Overrides,
): ProviderConformanceOptions<C> {
  return {
    ...base,
    mock: mockUrl,
    provider(setup) {
      const real = base.provider(setup);
      return {
        id: real.id,
        capabilities: real.capabilities,
        verifyWebhook: (rawBody, headers, now) => real.verifyWebhook(rawBody, headers, now),
        parseWebhook: (webhook) => real.parseWebhook(webhook),
        classifyError: (error) => real.classifyError(error),
        fetchStatus: (connection) => real.fetchStatus(connection),
        startReconnection: (connection, ctx) => real.startReconnection(connection, ctx),
        completeReconnection: (connection, callback) => real.completeReconnection(connection, callback),
        revoke: (connection) => real.revoke(connection),
        ...overrides(real, setup as ProviderSetup<Record<string, unknown>>),
      };
    },
  };
}

/** Starts a suite for a broken adapter, runs `body`, stops it. */
async function withSuite(
  options: ProviderConformanceOptions,
  body: (suite: ConformanceSuite) => Promise<void>,
) {
  const suite = createConformanceSuite(options);
  await suite.start();
  try {
    await body(suite);
  } finally {
    await suite.stop();
  }
}

const fails = (suite: ConformanceSuite, name: string) =>
  expect(suite.rule(name).run()).rejects.toThrow(
    new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `),
  );
const passes = (suite: ConformanceSuite, name: string) =>
  expect(suite.rule(name).run()).resolves.toBeUndefined();

describe('broken Finch adapters fail the rule they break', () => {
  let mock: Awaited<ReturnType<typeof startFinchMock>>;
  beforeAll(async () => {
    mock = await startFinchMock({ port: 0, env: {} });
  });
  afterAll(() => mock?.close());
  // Each case runs its own suite and webhook receiver against this one mock: what a case left queued would be
  // retried (with backoff) towards a receiver that is gone, and the next case's flush would wait for it.
  afterEach(() => mock?.instance.reset());
  const finch = (overrides: Overrides) =>
    broken(finchConformance, mock.url, overrides) as unknown as ProviderConformanceOptions;

  it('completeReconnection lands on a new upstream connection → "reconnect keeps the upstream id" fails', async () => {
    const newConnection: Overrides = (real) => ({
      async completeReconnection(connection, callback) {
        const result = await real.completeReconnection(connection, callback);
        return result.outcome === 'completed' ? { ...result, upstreamId: `new-${randomUUID()}` } : result;
      },
    });
    await withSuite(finch(newConnection), async (suite) => {
      await fails(suite, 'rule: reconnect keeps the upstream id');
      await expect(suite.rule('rule: reconnect keeps the upstream id').run()).rejects.toThrow(
        /instead of .*a new upstream connection/,
      );
      await passes(suite, 'rule: finch.reauth detected by webhook reaches needs_reauth');
    });
  });

  it('verifyWebhook accepts unsigned and mis-signed bodies → both signature rules fail', async () => {
    const acceptsAnything: Overrides = (real) => ({
      verifyWebhook(rawBody, headers, now) {
        try {
          return real.verifyWebhook(rawBody, headers, now);
        } catch {
          const body: unknown = JSON.parse(new TextDecoder().decode(rawBody));
          return { provider: real.id, rawBody, headers, body, receivedAt: now, vendorEventId: randomUUID() };
        }
      },
    });
    await withSuite(finch(acceptsAnything), async (suite) => {
      await fails(suite, 'rule: unsigned webhooks are rejected');
      await fails(suite, 'rule: bad signatures are rejected');
      await passes(suite, 'rule: duplicate deliveries change nothing');
    });
  });

  it('parseWebhook mints a fresh event id per delivery → "duplicate deliveries change nothing" fails', async () => {
    const unstableIds: Overrides = (real) => ({
      parseWebhook: (webhook) =>
        real.parseWebhook(webhook).map((event) => ({ ...event, eventId: randomUUID() })),
    });
    await withSuite(finch(unstableIds), async (suite) => {
      await fails(suite, 'rule: duplicate deliveries change nothing');
      await passes(suite, 'rule: unsigned webhooks are rejected');
    });
  });

  it('parseWebhook dates events at receipt instead of the vendor time → "out-of-order deliveries" fails', async () => {
    const receiptTime: Overrides = (real) => ({
      parseWebhook: (webhook) =>
        real.parseWebhook(webhook).map((event) => ({ ...event, occurredAt: webhook.receivedAt })),
    });
    await withSuite(finch(receiptTime), async (suite) => {
      await fails(suite, 'rule: out-of-order deliveries change nothing');
    });
  });

  it('fetchStatus always says connected → the status_check detection rules fail', async () => {
    const alwaysHealthy: Overrides = (real) => ({
      async fetchStatus(connection) {
        const status = await real.fetchStatus(connection);
        return { ...status, state: 'connected', problem: undefined };
      },
    });
    await withSuite(finch(alwaysHealthy), async (suite) => {
      await fails(suite, 'rule: finch.reauth detected by status_check reaches needs_reauth');
      await passes(suite, 'rule: finch.reauth detected by webhook reaches needs_reauth');
    });
  });

  it('classifyError recognises nothing → the api_error detection rules fail', async () => {
    await withSuite(
      finch(() => ({ classifyError: () => undefined })),
      async (suite) => {
        await fails(suite, 'rule: finch.rate_limited detected by api_error reaches degraded');
        await fails(suite, 'rule: finch.reauth detected by api_error reaches needs_reauth');
      },
    );
  });

  it('the adapter logs its config → "secrets never appear in logs" fails without printing the secret', async () => {
    const logsConfig: Overrides = (_real, setup) => {
      if (setup.container.isRegistered(LOGGER, true))
        setup.container.resolve<Logger>(LOGGER).debug('finch adapter ready', { config: setup.config });
      return {};
    };
    await withSuite(finch(logsConfig), async (suite) => {
      const error = await suite
        .rule('rule: secrets never appear in logs')
        .run()
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/^rule: secrets never appear in logs: a secret was logged/);
      for (const secret of finchConformance.secrets) expect((error as Error).message).not.toContain(secret);
    });
  });

  it('parseWebhook maps the revocation to a recoverable state → "terminal revocation is terminal" fails', async () => {
    const recoverable: Overrides = (real) => ({
      parseWebhook: (webhook) =>
        real
          .parseWebhook(webhook)
          .map((event) =>
            event.signal?.state === 'revoked'
              ? { ...event, signal: { state: 'needs_reauth', vendor: event.signal.vendor } }
              : event,
          ),
    });
    await withSuite(finch(recoverable), async (suite) => {
      await fails(suite, 'rule: terminal revocation is terminal (reconnect refused, later signals ignored)');
      await passes(suite, 'rule: revoke disconnects upstream and is terminal');
    });
  });

  it('revoke never calls the vendor → "revoke disconnects upstream and is terminal" fails', async () => {
    await withSuite(
      finch(() => ({ revoke: async () => {} })),
      async (suite) => {
        await fails(suite, 'rule: revoke disconnects upstream and is terminal');
      },
    );
  });

  it('a capability the adapter does not declare skips its rules, with the reason', async () => {
    const noWebhooks: Overrides = (real) => ({ capabilities: { ...real.capabilities, webhooks: false } });
    const suite = createConformanceSuite(finch(noWebhooks));
    expect(suite.rule('rule: bad signatures are rejected').skip).toBe(
      'provider does not declare capability webhooks',
    );
    expect(suite.rule('rule: finch.reauth detected by webhook reaches needs_reauth').skip).toMatch(
      /webhooks/,
    );
    expect(
      suite.rule('rule: finch.reauth detected by status_check reaches needs_reauth').skip,
    ).toBeUndefined();
  });
});

describe('a broken Argyle adapter fails the rule it breaks', () => {
  let mock: Awaited<ReturnType<typeof startArgyleMock>>;
  beforeAll(async () => {
    mock = await startArgyleMock({ port: 0, env: {} });
  });
  afterAll(() => mock?.close());
  // Each case runs its own suite and webhook receiver against this one mock: what a case left queued would be
  // retried (with backoff) towards a receiver that is gone, and the next case's flush would wait for it.
  afterEach(() => mock?.instance.reset());

  it('completeReconnection reports another account → "reconnect keeps the upstream id" fails', async () => {
    const options = broken(argyleConformance, mock.url, (real) => ({
      async completeReconnection(connection, callback) {
        const result = await real.completeReconnection(connection, callback);
        return result.outcome === 'completed' ? { ...result, upstreamId: `new-${randomUUID()}` } : result;
      },
    })) as unknown as ProviderConformanceOptions;
    await withSuite(options, async (suite) => {
      await fails(suite, 'rule: reconnect keeps the upstream id');
      await passes(suite, 'rule: reconnect emits connection.recovered once');
    });
  });
});

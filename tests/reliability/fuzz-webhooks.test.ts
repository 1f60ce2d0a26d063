import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import path from 'node:path';
import { ArgyleProvider } from '@reconnect-kit/argyle';
import { type ReconnectionProvider, SqliteConnectionStore } from '@reconnect-kit/core';
import { FinchProvider } from '@reconnect-kit/finch';
import { argyleMock } from '@reconnect-kit/mock-argyle';
import { FINCH_DEFAULT_CREDENTIALS, finchWebhookScheme } from '@reconnect-kit/mock-finch';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../scratch-dir.js';
import { bodyBytes, fixturePayloads, fuzzRuns, headerRecords, rejectionProblem } from './support/fuzz.js';
import { createHost, HOST_KEYS, listen } from './support/host.js';
import { sqliteReader } from './support/inspect.js';
import { SEED } from './support/scale.js';
import { post } from './support/send.js';

const FINCH = {
  baseUrl: 'http://127.0.0.1:9',
  clientId: FINCH_DEFAULT_CREDENTIALS.client_id,
  clientSecret: FINCH_DEFAULT_CREDENTIALS.client_secret,
  webhookSecret: FINCH_DEFAULT_CREDENTIALS.webhook_secret,
};

const argylePayloads = fixturePayloads('argyle', 'webhook-accounts.');
const finchPayloads = fixturePayloads('finch', 'webhook-event.');

/** Signs like each vendor (with the mocks' schemes) using the secrets the host is configured with. */
const vendors = {
  argyle: {
    payloads: argylePayloads,
    serialize: (body: unknown) => argyleMock.webhooks.serialize(body),
    sign: (body: Uint8Array, now: Date, eventId: string) =>
      argyleMock.webhooks.sign({ body, eventId, timestamp: now, secret: HOST_KEYS.argyleWebhookSecret }),
  },
  finch: {
    payloads: finchPayloads,
    serialize: (body: unknown) => finchWebhookScheme.serialize(body),
    sign: (body: Uint8Array, now: Date, eventId: string) =>
      finchWebhookScheme.sign({ body, eventId, timestamp: now, secret: FINCH.webhookSecret }),
  },
} as const;
type VendorName = keyof typeof vendors;

/** A delivery: arbitrary or signed bytes for one vendor, with arbitrary extra headers. */
function deliveries(vendor: VendorName, now: () => Date) {
  const { payloads, serialize, sign } = vendors[vendor];
  return fc
    .record({
      body: bodyBytes(payloads, serialize),
      extra: headerRecords,
      signed: fc.boolean(),
      eventId: fc.stringMatching(/^msg_[0-9A-Za-z]{27}$/),
    })
    .map(({ body, extra, signed, eventId }) => ({
      body,
      signed,
      headers: signed ? withHeaders(extra, sign(body, now(), eventId)) : extra,
    }));
}

/** `extra` overridden by `signature`, case-insensitively (HTTP would join two spellings of one name). */
function withHeaders(
  extra: Record<string, string>,
  signature: Record<string, string>,
): Record<string, string> {
  const names = new Set(Object.keys(signature).map((name) => name.toLowerCase()));
  const kept = Object.entries(extra).filter(([name]) => !names.has(name.toLowerCase()));
  return { ...Object.fromEntries(kept), ...signature };
}

/** The codes a delivery without the vendor's signature must get (and a signed one must never get). */
const SIGNATURE_REJECTIONS = ['webhook_signature_invalid', 'webhook_stale'];

describe('adapters: webhook verification and parsing never crash (seed printed by fast-check on failure)', () => {
  const host = createHost({ store: new SqliteConnectionStore(':memory:'), finch: FINCH });
  // The concrete adapters: both verify synchronously (the port also allows async verifiers).
  const adapters: { argyle: ArgyleProvider; finch: FinchProvider } = {
    argyle: host.container.resolve(ArgyleProvider),
    finch: host.container.resolve(FinchProvider),
  };
  const now = new Date('2026-02-12T08:00:00.000Z');

  it.each(['argyle', 'finch'] as const)(
    '%s: arbitrary bytes and headers → events or a 4xx ReconnectKitError; unsigned → always a signature rejection',
    (vendor) => {
      fc.assert(
        fc.property(
          deliveries(vendor, () => now),
          ({ body, headers, signed }) => {
            const adapter = adapters[vendor];
            let events: ReturnType<ReconnectionProvider['parseWebhook']>;
            try {
              events = adapter.parseWebhook(adapter.verifyWebhook(body, new Headers(headers), now));
            } catch (error) {
              expect(rejectionProblem(error)).toBeUndefined();
              const code = (error as { code: string }).code;
              if (signed) expect(SIGNATURE_REJECTIONS).not.toContain(code);
              else expect(SIGNATURE_REJECTIONS).toContain(code);
              return;
            }
            expect(signed, 'an unsigned delivery passed verification').toBe(true);
            for (const event of events) {
              expect(event.eventId).toEqual(expect.any(String));
              expect(event.upstreamId).toEqual(expect.any(String));
              expect(Number.isNaN(event.occurredAt.getTime()), 'occurredAt is a valid date').toBe(false);
            }
          },
        ),
        fuzzRuns(400),
      );
    },
  );
});

describe('express webhook endpoint: no 5xx, nothing stored from a rejected delivery', () => {
  const dir = mkdtempSync(path.join(scratchDir(), 'rk-fuzz-'));
  const file = path.join(dir, 'fuzz.db');
  const store = new SqliteConnectionStore(file);
  const host = createHost({ store, finch: FINCH });
  const agent = new Agent({ keepAlive: true });
  let server: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    // The fixtures' connections exist, so mutated-but-valid payloads really change something.
    for (const payload of argylePayloads as { data: { account: string; user: string } }[]) {
      await host.service.registerConnection({
        provider: 'argyle',
        hostUserId: 'host_user_argyle',
        upstreamId: payload.data.account,
        upstreamParentId: payload.data.user,
      });
    }
    for (const payload of finchPayloads as { connection_id?: string; company_id: string }[]) {
      if (!payload.connection_id) continue;
      await host.service.registerConnection({
        provider: 'finch',
        hostUserId: 'host_user_finch',
        upstreamId: payload.connection_id,
        upstreamParentId: payload.company_id,
      });
    }
    server = await listen(host.app);
  });
  afterAll(async () => {
    agent.destroy();
    await server?.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`POST /webhooks/:provider with arbitrary input (seed ${SEED})`, async () => {
    const reader = sqliteReader(file);
    const snapshot = async () =>
      reader.rows(
        (t) => `SELECT (SELECT COUNT(*) FROM ${t('outbox')}) AS outbox,
                       (SELECT COUNT(*) FROM ${t('inbound_events')}) AS inbound,
                       (SELECT COUNT(*) FROM ${t('ignored_signals')}) AS ignored,
                       (SELECT SUM(version) FROM ${t('connections')}) AS versions`,
      );
    const target = fc.oneof(
      fc.constantFrom<VendorName>('argyle', 'finch').chain((vendor) =>
        deliveries(vendor, () => new Date()).map((delivery) => ({
          provider: vendor as string,
          ...delivery,
        })),
      ),
      fc.record({
        provider: fc.stringMatching(/^[a-z0-9_-]{1,12}$/),
        body: fc.uint8Array({ maxLength: 64 }),
        headers: headerRecords,
        signed: fc.constant(undefined),
      }),
    );
    let rejected = 0;
    try {
      await fc.assert(
        fc.asyncProperty(target, async ({ provider, body, headers, signed }) => {
          const before = await snapshot();
          const answer = await post(agent, new URL(`${server.url}/webhooks/${provider}`), { body, headers });
          expect(answer.status, answer.body).toBeGreaterThanOrEqual(200);
          expect(answer.status, answer.body).toBeLessThan(500);
          // Forged (unsigned) deliveries to a real provider are 401 and change nothing; signed ones never are.
          if (signed === false) expect(answer.status, `${provider}: ${answer.body}`).toBe(401);
          if (signed === true) expect(answer.status, `${provider}: ${answer.body}`).not.toBe(401);
          if (answer.status >= 400) {
            rejected += 1;
            const error = (JSON.parse(answer.body) as { error: { code: string; message: string } }).error;
            expect(error.message.length).toBeGreaterThan(0);
            expect(await snapshot()).toEqual(before);
          }
        }),
        fuzzRuns(300),
      );
    } finally {
      await reader.close();
    }
    expect(rejected).toBeGreaterThan(0);
  });
});

import { inspect } from 'node:util';
import { argyleMock } from '@reconnect-kit/mock-argyle';
import {
  createMockInstance,
  type MockInstance,
  type MockProviderDefinition,
} from '@reconnect-kit/mock-engine';
import { finchMock } from '@reconnect-kit/mock-finch';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixturePayloads, fuzzRuns, mutatedJson } from './support/fuzz.js';

/**
 * Each mock's `/__admin` API, in-process through the engine's fetch pipeline: arbitrary bodies and queries are
 * answered 4xx with a message (or 2xx when they happen to be valid), never 5xx, and a rejected call changes
 * nothing (vendor state, clock, faults, webhook settings and log, journal).
 */

const FROZEN_AT = '2026-03-01T12:00:00.000Z';

/** Valid bodies per endpoint: the mutations start from these, so they reach the schemas' deep checks. */
const VALID_BODIES = [
  { advance_ms: 1_000 },
  { set: '2026-03-02T00:00:00Z' },
  { method: 'GET', path: '/v2/accounts', status: 503, retry_after: 2, times: 1 },
  { path: '*', delay_ms: 10, malformed_body: true, reset_connection: false },
  {
    url: 'http://127.0.0.1:9/hooks',
    secret: 'whsec',
    retry_policy: { max_attempts: 3, backoff_ms: 10, timeout_ms: 100 },
    duplicate: 0.5,
    reorder: true,
    stale_timestamp: false,
    bad_signature: 0,
  },
  { target: 'acc_unknown' },
  { username: 'test_1', item: 'item_000029932' },
  { provider_id: 'gusto', employee_size: 20, customer_id: 'host-user-42' },
  {},
];

function scenarioIds(provider: string): string[] {
  const [catalogue] = fixturePayloads('../scenarios', provider) as { scenarios: { id: string }[] }[];
  return catalogue?.scenarios.map((scenario) => scenario.id) ?? [];
}

function adminCalls(provider: string) {
  const body = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
    { arbitrary: mutatedJson(VALID_BODIES).map((value) => JSON.stringify(value)), weight: 4 },
    fc.string({ maxLength: 100 }),
  );
  const query = fc
    .dictionary(fc.constantFrom('path', 'method', 'timeout_ms', 'x'), fc.string({ maxLength: 20 }), {
      maxKeys: 3,
    })
    .map((entries) => new URLSearchParams(entries).toString());
  return fc.oneof(
    fc.record({ method: fc.constant('POST'), path: fc.constant('/reset'), body, query: fc.constant('') }),
    fc.record({ method: fc.constant('POST'), path: fc.constant('/clock'), body, query: fc.constant('') }),
    fc.record({ method: fc.constant('POST'), path: fc.constant('/faults'), body, query: fc.constant('') }),
    fc.record({ method: fc.constant('PUT'), path: fc.constant('/webhooks'), body, query: fc.constant('') }),
    fc.record({
      method: fc.constant('POST'),
      path: fc
        .oneof(fc.constantFrom(...scenarioIds(provider)), fc.stringMatching(/^[a-z_.]{1,20}$/))
        .map((id) => `/scenarios/${encodeURIComponent(id)}`),
      body,
      query: fc.constant(''),
    }),
    fc.record({ method: fc.constant('GET'), path: fc.constant('/requests'), body: fc.constant(''), query }),
    fc.record({
      method: fc.constant('POST'),
      path: fc.constant('/webhooks/flush'),
      body: fc.constant(''),
      query,
    }),
  );
}

async function admin(instance: MockInstance<unknown>, method: string, path: string, query = '', body = '') {
  const response = await instance.handle(
    new Request(`http://mock.test/__admin${path}${query ? `?${query}` : ''}`, {
      method,
      ...(body === '' ? {} : { body, headers: { 'content-type': 'application/json' } }),
    }),
  );
  return { status: response.status, text: await response.text() };
}

/** Everything an admin call can change. The clock is frozen first so that "now" is comparable. */
function snapshot(instance: MockInstance<unknown>): string {
  return inspect(
    {
      now: instance.clock.nowMs(),
      faults: instance.faults.list(),
      settings: instance.webhooks.settings,
      deliveries: instance.webhooks.deliveries(),
      journal: instance.journal.list(),
      vendor: instance.ctx.state,
    },
    { depth: Number.POSITIVE_INFINITY, sorted: true },
  );
}

describe.each([
  ['argyle', argyleMock],
  ['finch', finchMock],
] as [string, MockProviderDefinition<unknown>][])(
  '%s mock /__admin API under arbitrary input',
  (provider, definition) => {
    it('answers 4xx with a message or 2xx, never 5xx; a rejected call changes nothing', async () => {
      const instance = createMockInstance(definition);
      const freeze = async () => {
        expect((await admin(instance, 'POST', '/clock', '', JSON.stringify({ set: FROZEN_AT }))).status).toBe(
          200,
        );
      };
      await freeze();
      let rejected = 0;
      try {
        await fc.assert(
          fc.asyncProperty(adminCalls(provider), async (call) => {
            const before = snapshot(instance);
            const answer = await admin(instance, call.method, call.path, call.query, call.body);
            expect(answer.status, answer.text).toBeLessThan(500);
            if (answer.status >= 400) {
              rejected += 1;
              const body = JSON.parse(answer.text) as Record<string, unknown>;
              const message = body.message ?? body.detail;
              expect(typeof message === 'string' && message.length > 0, answer.text).toBe(true);
              expect(snapshot(instance)).toBe(before);
            } else {
              await freeze();
            }
          }),
          fuzzRuns(300),
        );
      } finally {
        instance.close();
      }
      expect(rejected).toBeGreaterThan(0);
    });
  },
);

it('POST /__admin/clock beyond the last representable date → 400, clock unchanged', async () => {
  const instance = createMockInstance(argyleMock);
  try {
    const before = instance.clock.nowMs();
    const answer = await admin(
      instance,
      'POST',
      '/clock',
      '',
      JSON.stringify({ advance_ms: 9_000_000_000_000_000 }),
    );
    expect(answer.status, answer.text).toBe(400);
    expect(Math.abs(instance.clock.nowMs() - before)).toBeLessThan(60_000);
  } finally {
    instance.close();
  }
});

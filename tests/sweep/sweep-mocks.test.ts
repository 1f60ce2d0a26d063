/**
 * `service.sweep()` against the Argyle and Finch mocks over real HTTP: the registered adapters (with their
 * resilient fetch) re-read every waiting connection and the service applies what the vendors say; a 429 storm
 * from the mock's fault injection pauses the sweep for the vendor's Retry-After. The host clock is a ManualClock
 * that moves only while no HTTP call is in flight, so timeouts never fire spuriously and no test sleeps.
 */
import { randomBytes } from 'node:crypto';
import { registerArgyle } from '@reconnect-kit/argyle';
import { mockAdmin } from '@reconnect-kit/contract-tests';
import {
  type Connection,
  HTTP_FETCH,
  type HttpFetch,
  ManualClock,
  RECONNECTION_SERVICE,
  type ReconnectionService,
  registerReconnectKit,
} from '@reconnect-kit/core';
import { registerFinch } from '@reconnect-kit/finch';
import { DEFAULT_ARGYLE_CREDENTIALS, startArgyleMock } from '@reconnect-kit/mock-argyle';
import { FINCH_DEFAULT_CREDENTIALS, startFinchMock } from '@reconnect-kit/mock-finch';
import { container } from 'tsyringe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const START = '2026-11-23T12:00:00.000Z';

let argyle: Awaited<ReturnType<typeof startArgyleMock>>;
let finch: Awaited<ReturnType<typeof startFinchMock>>;

beforeAll(async () => {
  [argyle, finch] = await Promise.all([
    startArgyleMock({ port: 0, env: {} }),
    startFinchMock({ port: 0, env: {} }),
  ]);
});
afterAll(async () => {
  await Promise.all([argyle?.close(), finch?.close()]);
});
afterEach(async () => {
  await Promise.all([mockAdmin(argyle.url, 'DELETE', '/faults'), mockAdmin(finch.url, 'DELETE', '/faults')]);
});

/** One vendor call as the host saw it, in host clock time (ms since START). */
interface SentCall {
  readonly call: string;
  readonly at: number;
  readonly status: number;
  readonly retryAfter: string | null;
}

interface Host {
  readonly service: ReconnectionService;
  readonly sent: SentCall[];
  /** Runs `work`, moving the clock in `stepMs` steps whenever no HTTP call is in flight, until it settles. */
  drive<T>(work: Promise<T>, stepMs?: number): Promise<T>;
}

function startHost(): Host {
  const clock = new ManualClock(START);
  const start = clock.now().getTime();
  const sent: SentCall[] = [];
  let inFlight = 0;
  const countingFetch: HttpFetch = async (input, init) => {
    const request = new Request(input, init);
    inFlight += 1;
    try {
      const response = await fetch(request);
      sent.push({
        call: `${request.method} ${new URL(request.url).pathname}`,
        at: clock.now().getTime() - start,
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
      });
      return response;
    } finally {
      inFlight -= 1;
    }
  };
  const child = container.createChildContainer();
  child.register(HTTP_FETCH, { useValue: countingFetch });
  registerReconnectKit(child, {
    stateSigningKey: randomBytes(32).toString('hex'),
    secretBox: { keys: [{ id: 'k1', key: randomBytes(32).toString('base64') }], primaryKeyId: 'k1' },
    store: { kind: 'memory' },
    clock,
  });
  // Default retry settings on purpose: the adapters' resilient fetch is part of what runs here.
  registerArgyle(child, {
    apiKeyId: DEFAULT_ARGYLE_CREDENTIALS.api_key_id,
    apiKeySecret: DEFAULT_ARGYLE_CREDENTIALS.api_key_secret,
    baseUrl: `${argyle.url}/v2`,
    webhookSecret: 'sweep-test-webhook-secret',
    linkUrl: `${argyle.url}/link`,
  });
  registerFinch(child, {
    clientId: FINCH_DEFAULT_CREDENTIALS.client_id,
    clientSecret: FINCH_DEFAULT_CREDENTIALS.client_secret,
    webhookSecret: FINCH_DEFAULT_CREDENTIALS.webhook_secret,
    redirectUri: 'https://host.example/finch/callback',
    baseUrl: finch.url,
  });
  return {
    service: child.resolve<ReconnectionService>(RECONNECTION_SERVICE),
    sent,
    async drive(work, stepMs = 100) {
      let settled = false;
      work.then(
        () => (settled = true),
        () => (settled = true),
      );
      for (let steps = 0; !settled; ) {
        if (inFlight > 0) {
          await new Promise((resolve) => setTimeout(resolve, 1)); // real I/O: let it finish first
          continue;
        }
        steps += 1;
        if (steps > 10_000) throw new Error('the sweep did not finish within 10,000 clock steps');
        await clock.advance(stepMs);
      }
      return work;
    },
  };
}

/** Argyle accounts from the mock's sandbox; the first `broken` get `argyle.auth_required`. */
async function argyleAccounts(host: Host, count: number, broken: number): Promise<Connection[]> {
  const connections: Connection[] = [];
  for (let i = 0; i < count; i += 1) {
    const { changed } = (await mockAdmin(argyle.url, 'POST', '/scenarios/argyle.seed_connected', {})) as {
      changed: { account_id: string; user_id: string };
    };
    if (i < broken) {
      await mockAdmin(argyle.url, 'POST', '/scenarios/argyle.auth_required', { target: changed.account_id });
    }
    // Registered as `degraded`: the host missed the vendor's webhooks, so only a sweep can tell.
    connections.push(
      await host.service.registerConnection({
        provider: 'argyle',
        hostUserId: `argyle-user-${i}`,
        upstreamId: changed.account_id,
        upstreamParentId: changed.user_id,
        state: 'degraded',
      }),
    );
  }
  return connections;
}

/** Finch connections from the mock; the first `broken` get `finch.reauth`. */
async function finchConnections(host: Host, count: number, broken: number): Promise<Connection[]> {
  const connections: Connection[] = [];
  for (let i = 0; i < count; i += 1) {
    const { changed } = (await mockAdmin(finch.url, 'POST', '/scenarios/finch.seed_connected', {
      provider_id: 'gusto',
    })) as { changed: { connection_id: string; company_id: string; access_token: string } };
    if (i < broken) {
      await mockAdmin(finch.url, 'POST', '/scenarios/finch.reauth', { target: changed.connection_id });
    }
    connections.push(
      await host.service.registerConnection({
        provider: 'finch',
        hostUserId: `finch-user-${i}`,
        upstreamId: changed.connection_id,
        upstreamParentId: changed.company_id,
        secrets: { access_token: changed.access_token },
        state: 'degraded',
      }),
    );
  }
  return connections;
}

const statesOf = async (host: Host, connections: readonly Connection[]) =>
  Promise.all(connections.map(async (c) => (await host.service.getConnection(c.id)).state));

describe('service.sweep() against the mocks over HTTP', () => {
  it('re-reads every waiting Argyle and Finch connection once and applies what the vendor says', async () => {
    const host = startHost();
    const argyleSide = await argyleAccounts(host, 3, 1);
    const finchSide = await finchConnections(host, 3, 1);
    const progress: number[] = [];
    const result = await host.drive(
      host.service.sweep({ concurrency: 3, ratePerSecond: 4, onProgress: (p) => progress.push(p.checked) }),
    );
    expect(result).toEqual({
      checked: 6,
      changed: 6,
      failed: 0,
      skipped: 0,
      total: 6,
      rateLimitPauses: 0,
      rateLimitedProviders: [],
      aborted: false,
    });
    expect(await statesOf(host, argyleSide)).toEqual(['needs_reauth', 'connected', 'connected']);
    expect(await statesOf(host, finchSide)).toEqual(['needs_reauth', 'connected', 'connected']);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
    // Each connection read exactly once, and never more than 4 calls started in one second of clock time.
    expect(host.sent.map((s) => s.call).sort()).toEqual(
      [
        ...argyleSide.map((c) => `GET /v2/accounts/${c.upstreamId}`),
        ...Array(3).fill('GET /introspect'),
      ].sort(),
    );
    const times = host.sent.map((s) => s.at).sort((a, b) => a - b);
    for (let i = 4; i < times.length; i += 1) {
      expect((times[i] ?? 0) - (times[i - 4] ?? 0)).toBeGreaterThanOrEqual(1000);
    }
    // A second sweep finds nothing waiting but the two broken ones, and they stay broken.
    const again = await host.drive(host.service.sweep({ states: ['needs_reauth'] }));
    expect(again).toMatchObject({ checked: 2, changed: 0, total: 2 });
  });

  /** Every call that started after a 429 and before its Retry-After had passed (`only`: calls matching it). */
  const insidePauses = (sent: readonly SentCall[], only: string) =>
    sent
      .filter((s) => s.status === 429)
      .flatMap((limit) =>
        sent.filter(
          (s) =>
            s.call.includes(only) && s.at > limit.at && s.at < limit.at + Number(limit.retryAfter) * 1000,
        ),
      );

  it('an Argyle 429 storm pauses the whole sweep for each Retry-After, then every account is read', async () => {
    const host = startHost();
    const accounts = await argyleAccounts(host, 4, 1);
    // 20 s is longer than the resilient fetch waits in place: each 429 reaches the sweep, which pauses.
    await mockAdmin(argyle.url, 'POST', '/faults', {
      method: 'GET',
      path: '/v2/accounts/:id',
      status: 429,
      retry_after: 20,
      times: 3,
    });
    const result = await host.drive(host.service.sweep({ concurrency: 2, ratePerSecond: 10 }));
    expect(result).toMatchObject({
      checked: 4,
      changed: 4,
      failed: 0,
      rateLimitPauses: 3,
      rateLimitedProviders: [],
    });
    expect(await statesOf(host, accounts)).toEqual(['needs_reauth', 'connected', 'connected', 'connected']);
    expect(host.sent.filter((s) => s.status === 429).map((s) => s.retryAfter)).toEqual(['20', '20', '20']);
    // Calls in flight when a 429 arrived started at or before it; nothing started inside a pause.
    expect(insidePauses(host.sent, '')).toEqual([]);
    expect(Math.max(...host.sent.map((s) => s.at))).toBeGreaterThanOrEqual(60_000);
  });

  it('Finch: a short Retry-After is waited out in place by the fetch, a long one pauses the sweep', async () => {
    const host = startHost();
    const connections = await finchConnections(host, 3, 0);
    await mockAdmin(finch.url, 'POST', '/faults', {
      method: 'GET',
      path: '/introspect',
      status: 429,
      retry_after: 3,
      times: 2,
    });
    const short = await host.drive(host.service.sweep({ concurrency: 3, ratePerSecond: 10 }));
    // Absorbed by the resilient fetch: no sweep pause, no connection marked degraded by the 429s.
    expect(short).toMatchObject({ checked: 3, changed: 3, rateLimitPauses: 0 });
    expect(await statesOf(host, connections)).toEqual(['connected', 'connected', 'connected']);
    expect(host.sent.filter((s) => s.status === 429)).toHaveLength(2);
    expect(insidePauses(host.sent, '/introspect')).toEqual([]);

    host.sent.length = 0;
    await mockAdmin(finch.url, 'POST', '/faults', {
      method: 'GET',
      path: '/introspect',
      status: 429,
      retry_after: 30,
      times: 1,
    });
    const long = await host.drive(host.service.sweep({ states: ['connected'], concurrency: 1 }));
    expect(long).toMatchObject({ checked: 3, changed: 0, rateLimitPauses: 1 });
    expect(await statesOf(host, connections)).toEqual(['connected', 'connected', 'connected']);
    expect(host.sent.map((s) => s.status)).toEqual([429, 200, 200, 200]);
    expect((host.sent[1]?.at ?? 0) - (host.sent[0]?.at ?? 0)).toBeGreaterThanOrEqual(30_000);
  });
});

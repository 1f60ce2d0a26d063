/**
 * The Finch adapter driven through ReconnectionService against the Finch mock over real HTTP: every catalogued
 * scenario, the reconnect loop through the mock's Connect page, and the failure paths (code reuse/expiry, wrong
 * redirect URI, wrong client secret, stale and rotated webhook signatures). Vendor calls are asserted from the mock's
 * request journal.
 */
import { randomBytes } from 'node:crypto';
import {
  type ConnectionEvent,
  type ConnectionEventType,
  HTTP_FETCH,
  type HttpFetch,
  isReconnectKitError,
  ManualClock,
  RECONNECTION_SERVICE,
  type ReconnectionService,
  registerReconnectKit,
} from '@reconnect-kit/core';
import {
  type FinchConfigInput,
  FinchProvider,
  registerFinch,
  withReauthReporting,
} from '@reconnect-kit/finch';
import { FINCH_DEFAULT_CREDENTIALS, startFinchMock } from '@reconnect-kit/mock-finch';
import Finch from '@tryfinch/finch-api';
import { container, type DependencyContainer } from 'tsyringe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { employerLogsIn, mockAdmin, startWebhookReceiver } from './finch.test-helpers.js';

const CALLBACK = 'https://host.example/finch/callback';
const START = '2026-11-23T12:00:00.000Z';
const ROTATED_SECRET = 'cm90YXRlZC1maW5jaC13ZWJob29rLXNlY3JldC0yMDI2LTExLTIz';

// ---- plumbing: the mock, a webhook receiver, clocks kept in step ---------------------------------------------

let mock: Awaited<ReturnType<typeof startFinchMock>>;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  mock = await startFinchMock({ port: 0, env: {}, webhookUrl: receiver.url });
});

afterAll(async () => {
  await mock?.close();
  await receiver?.close();
});

/** Takes every webhook received so far. */
const takeDeliveries = () => receiver.deliveries.splice(0);

const admin = (method: string, path: string, body?: unknown) => mockAdmin(mock.url, method, path, body);

const scenario = (id: string, input: Record<string, unknown>) => admin('POST', `/scenarios/${id}`, input);

/**
 * Vendor calls the mock journaled (admin and Connect page traffic excluded) since the last `clearJournal()`. The
 * journal redacts secrets, so only the auth scheme is compared here; exact tokens come from `Host.sent`.
 */
async function vendorCalls(): Promise<{ call: string; auth: string | undefined; body: unknown }[]> {
  const { requests } = (await admin('GET', '/requests')) as {
    requests: { method: string; path: string; headers: Record<string, string>; body: unknown }[];
  };
  return requests
    .filter((r) => !r.path.startsWith('/__admin') && r.path !== '/authorize')
    .map((r) => ({
      call: `${r.method} ${r.path}`,
      auth: r.headers.authorization?.split(' ')[0],
      body: r.body ?? undefined,
    }));
}
const clearJournal = () => admin('DELETE', '/requests');

// ---- one host app per test -----------------------------------------------------------------------------------

interface Host {
  readonly container: DependencyContainer;
  readonly service: ReconnectionService;
  readonly clock: ManualClock;
  readonly events: ConnectionEvent[];
  /** `METHOD /path Authorization` of every call the adapter made, through the injected HTTP_FETCH. */
  readonly sent: string[];
  /** Advances the host's and the mock's clocks together. */
  tick(ms: number): Promise<void>;
  /**
   * Waits for the mock's queued webhooks, then ingests every delivery received since the last call, and waits for
   * the status reads that confirm them (`account.updated` is a hint: one `GET /introspect` per connection).
   */
  ingestWebhooks(): Promise<void>;
  /** Delivers the outbox and returns the event types seen so far for one connection. */
  eventTypes(connectionId: string): Promise<ConnectionEventType[]>;
}

async function startHost(finch: Partial<FinchConfigInput> = {}, stateTtlMs = 60 * 60 * 1000): Promise<Host> {
  const clock = new ManualClock(START);
  await admin('POST', '/clock', { set: START });
  const child = container.createChildContainer();
  const sent: string[] = [];
  const recordingFetch: HttpFetch = (input, init) => {
    const request = new Request(input, init);
    sent.push(
      `${request.method} ${new URL(request.url).pathname} ${request.headers.get('authorization') ?? '-'}`,
    );
    return fetch(request);
  };
  child.register(HTTP_FETCH, { useValue: recordingFetch });
  registerReconnectKit(child, {
    stateSigningKey: randomBytes(32).toString('hex'),
    secretBox: { keys: [{ id: 'k1', key: randomBytes(32).toString('base64') }], primaryKeyId: 'k1' },
    store: { kind: 'memory' },
    clock,
    options: { stateTtlMs },
  });
  registerFinch(child, {
    clientId: FINCH_DEFAULT_CREDENTIALS.client_id,
    clientSecret: FINCH_DEFAULT_CREDENTIALS.client_secret,
    webhookSecret: FINCH_DEFAULT_CREDENTIALS.webhook_secret,
    redirectUri: CALLBACK,
    baseUrl: mock.url,
    maxRetries: 0,
    ...finch,
  });
  const service = child.resolve<ReconnectionService>(RECONNECTION_SERVICE);
  const events: ConnectionEvent[] = [];
  service.subscribe((event) => {
    events.push(event);
  });
  return {
    container: child,
    service,
    clock,
    events,
    sent,
    async tick(ms) {
      await clock.advance(ms);
      await admin('POST', '/clock', { advance_ms: ms });
    },
    async ingestWebhooks() {
      await admin('POST', '/webhooks/flush');
      for (const delivery of takeDeliveries())
        await service.ingestWebhook('finch', delivery.rawBody, delivery.headers);
      await service.settle();
    },
    async eventTypes(connectionId) {
      await service.deliverOutbox();
      return events.filter((e) => e.connectionId === connectionId).map((e) => e.type);
    },
  };
}

interface Seeded {
  readonly id: string;
  readonly connectionId: string;
  readonly companyId: string;
  readonly accessToken: string;
}

async function seed(host: Host, input: { customer_id?: string; products?: string[] } = {}): Promise<Seeded> {
  const { changed } = (await scenario('finch.seed_connected', { provider_id: 'gusto', ...input })) as {
    changed: { connection_id: string; company_id: string; access_token: string };
  };
  const connection = await host.service.registerConnection({
    provider: 'finch',
    hostUserId: 'host-user-42',
    upstreamId: changed.connection_id,
    upstreamParentId: changed.company_id,
    secrets: { access_token: changed.access_token },
  });
  await host.tick(1000);
  return {
    id: connection.id,
    connectionId: changed.connection_id,
    companyId: changed.company_id,
    accessToken: changed.access_token,
  };
}

/** The host's own Finch SDK client for a token, reporting connection problems through the service. */
const hostClient = (host: Host, seeded: Seeded, accessToken = seeded.accessToken) =>
  withReauthReporting(new Finch({ accessToken, baseURL: mock.url, maxRetries: 0 }), host.service, seeded.id);

async function startAndLogIn(host: Host, seeded: Seeded, redirectUri?: string) {
  const { action, connection } = await host.service.startReconnection(seeded.id, { redirectUri });
  expect(connection.state).toBe('reconnecting');
  if (action.kind !== 'redirect') throw new Error(`expected a redirect action, got ${action.kind}`);
  const redirect = await employerLogsIn(action.url);
  return {
    action,
    redirect,
    code: redirect.searchParams.get('code')!,
    state: redirect.searchParams.get('state')!,
  };
}

async function reconnectError(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (error === undefined) return undefined;
  if (!isReconnectKitError(error)) throw error;
  return error.code;
}

// ---- scenarios -----------------------------------------------------------------------------------------------

let host: Host;
beforeEach(async () => {
  takeDeliveries();
  await admin('PUT', '/webhooks', {
    stale_timestamp: false,
    bad_signature: false,
    duplicate: false,
    reorder: false,
  });
  host = await startHost();
});

describe('finch.seed_connected', () => {
  it('registers a connected connection; checkStatus reads GET /introspect with its token', async () => {
    const seeded = await seed(host);
    await clearJournal();
    const connection = await host.service.checkStatus(seeded.id);
    expect(connection).toMatchObject({ state: 'connected', vendor: { status: 'connected' } });
    expect(await vendorCalls()).toEqual([{ call: 'GET /introspect', auth: 'Bearer', body: undefined }]);
    expect(host.sent).toEqual([`GET /introspect Bearer ${seeded.accessToken}`]);
    expect(await host.eventTypes(seeded.id)).not.toContain('connection.broken');
  });
});

describe('finch.reauth', () => {
  it('webhook → needs_reauth; reauth session → Connect → one code exchange → recovered with a new token', async () => {
    const seeded = await seed(host);
    await scenario('finch.reauth', { target: seeded.connectionId });
    await clearJournal();
    host.sent.length = 0;
    await host.ingestWebhooks();
    const broken = await host.service.getConnection(seeded.id);
    expect(broken).toMatchObject({ state: 'needs_reauth', problem: { fix: 'reenter_credentials' } });
    // account.updated is confirmed with one status read, with the connection's token.
    expect(await vendorCalls()).toEqual([{ call: 'GET /introspect', auth: 'Bearer', body: undefined }]);
    expect(host.sent).toEqual([`GET /introspect Bearer ${seeded.accessToken}`]);

    await host.tick(1000);
    await clearJournal();
    const { action, redirect, code, state } = await startAndLogIn(host, seeded);
    expect(`${redirect.origin}${redirect.pathname}`).toBe(CALLBACK);
    expect(state).toBe(action.kind === 'redirect' ? action.state : '');
    const startCalls = await vendorCalls();
    expect(startCalls.map((c) => c.call)).toEqual([
      'GET /introspect',
      'POST /connect/sessions/reauthenticate',
    ]);
    expect(startCalls[1]?.auth).toBe('Basic');
    expect(startCalls[1]?.body).toMatchObject({ connection_id: seeded.connectionId, redirect_uri: CALLBACK });

    await clearJournal();
    const outcome = await host.service.completeReconnection({ state, code });
    expect(outcome).toMatchObject({ outcome: 'recovered', connection: { state: 'connected' } });
    const exchange = await vendorCalls();
    expect(exchange).toEqual([
      {
        call: 'POST /auth/token',
        auth: undefined,
        body: {
          code,
          client_id: FINCH_DEFAULT_CREDENTIALS.client_id,
          client_secret: expect.any(String),
          redirect_uri: CALLBACK,
        },
      },
    ]);

    // The stored token is the new one: the next status check uses it, on the same connection.
    await host.tick(1000);
    host.sent.length = 0;
    expect((await host.service.checkStatus(seeded.id)).state).toBe('connected');
    expect(host.sent).toEqual([expect.stringMatching(/^GET \/introspect Bearer \S+$/)]);
    expect(host.sent[0]).not.toContain(seeded.accessToken);
    expect((await host.service.getConnection(seeded.id)).upstreamId).toBe(seeded.connectionId);
    expect(await host.eventTypes(seeded.id)).toEqual(
      expect.arrayContaining(['connection.broken', 'connection.reconnect_started', 'connection.recovered']),
    );
  });

  it('Connect left without signing in: after the state expires the connection needs reauth again; a new start recovers', async () => {
    const seeded = await seed(host);
    await scenario('finch.reauth', { target: seeded.connectionId });
    await host.ingestWebhooks();
    const broken = await host.service.getConnection(seeded.id);
    await host.tick(1000);

    const { action } = await host.service.startReconnection(seeded.id);
    if (action.kind !== 'redirect') throw new Error(`expected a redirect action, got ${action.kind}`);
    // The employer opens Connect and closes the tab.
    expect((await fetch(action.url)).status).toBe(200);
    await host.tick(60 * 60 * 1000); // this host's state lifetime
    expect(await host.service.getConnection(seeded.id)).toMatchObject({
      state: 'needs_reauth',
      problem: broken.problem,
    });
    expect(await host.eventTypes(seeded.id)).toContain('connection.reconnect_abandoned');
    expect(await reconnectError(host.service.completeReconnection({ state: action.state, code: 'x' }))).toBe(
      'state_expired',
    );

    const again = await startAndLogIn(host, seeded);
    const outcome = await host.service.completeReconnection({ state: again.state, code: again.code });
    expect(outcome).toMatchObject({ outcome: 'recovered', connection: { state: 'connected' } });
  });

  it('a 401 reauthenticate_user from the host’s own SDK call is reported automatically', async () => {
    const seeded = await seed(host);
    await scenario('finch.reauth', { target: seeded.connectionId });
    const error = await hostClient(host, seeded)
      .hris.directory.list()
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 401, error: { finch_code: 'reauthenticate_user' } });
    expect(await host.service.getConnection(seeded.id)).toMatchObject({
      state: 'needs_reauth',
      vendor: { status: 'reauth', code: 'reauthenticate_user' },
    });
    expect(await host.eventTypes(seeded.id)).toContain('connection.broken');
  });

  it('a reused code is rejected by Finch: reconnect_code_invalid, and only one exchange per attempt', async () => {
    const seeded = await seed(host);
    await scenario('finch.reauth', { target: seeded.connectionId });
    const first = await startAndLogIn(host, seeded);
    expect((await host.service.completeReconnection({ state: first.state, code: first.code })).outcome).toBe(
      'recovered',
    );
    await host.tick(1000);
    const second = await host.service.startReconnection(seeded.id);
    await clearJournal();
    const state = second.action.kind === 'redirect' ? second.action.state : '';
    expect(await reconnectError(host.service.completeReconnection({ state, code: first.code }))).toBe(
      'reconnect_code_invalid',
    );
    expect((await vendorCalls()).map((c) => c.call)).toEqual(['POST /auth/token']);
  });

  it('a code older than 10 minutes is rejected (mock clock +11 min)', async () => {
    const seeded = await seed(host);
    await scenario('finch.reauth', { target: seeded.connectionId });
    const { state, code } = await startAndLogIn(host, seeded);
    await host.tick(11 * 60 * 1000);
    expect(await reconnectError(host.service.completeReconnection({ state, code }))).toBe(
      'reconnect_code_invalid',
    );
    expect((await host.service.getConnection(seeded.id)).state).toBe('reconnecting');
  });

  it('a code issued for another redirect_uri is rejected at the exchange', async () => {
    const seeded = await seed(host);
    await scenario('finch.reauth', { target: seeded.connectionId });
    const { redirect, state, code } = await startAndLogIn(host, seeded, 'https://host.example/elsewhere');
    expect(redirect.pathname).toBe('/elsewhere');
    expect(await reconnectError(host.service.completeReconnection({ state, code }))).toBe(
      'reconnect_code_invalid',
    );
  });

  it('a wrong client secret fails the session and the exchange with upstream_error', async () => {
    const seeded = await seed(host);
    await scenario('finch.reauth', { target: seeded.connectionId });
    const { code } = await startAndLogIn(host, seeded);

    const misconfigured = await startHost({ clientSecret: 'not-the-secret' });
    const provider = misconfigured.container.resolve(FinchProvider);
    const ref = {
      id: 'c',
      provider: 'finch',
      hostUserId: 'u',
      upstreamId: seeded.connectionId,
      metadata: {},
      secrets: { access_token: seeded.accessToken },
    };
    const sessionError = provider.startReconnection(ref, {
      state: 's',
      expiresAt: new Date(Date.parse(START) + 60_000),
      now: new Date(START),
    });
    expect(await reconnectError(sessionError)).toBe('upstream_error');
    const exchangeError = await provider
      .completeReconnection(ref, { state: 's', code })
      .catch((e: unknown) => e);
    expect(exchangeError).toMatchObject({
      code: 'upstream_error',
      message: expect.stringMatching(/HTTP 401/),
    });
    expect(JSON.stringify(exchangeError)).not.toContain('not-the-secret');
    expect((exchangeError as Error).message).not.toContain(code);
  });
});

describe('finch.permissions_lost', () => {
  it('webhook and 403 insufficient_account_permissions → needs_credentials (fix elsewhere)', async () => {
    const seeded = await seed(host);
    await scenario('finch.permissions_lost', { target: seeded.connectionId });
    const error = await hostClient(host, seeded)
      .hris.company.retrieve()
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 403, error: { finch_code: 'insufficient_account_permissions' } });
    expect(await host.service.getConnection(seeded.id)).toMatchObject({
      state: 'needs_credentials',
      problem: { fix: 'user_action_elsewhere' },
    });
    await clearJournal();
    await host.ingestWebhooks();
    expect((await host.service.getConnection(seeded.id)).state).toBe('needs_credentials');
    expect((await vendorCalls()).map((c) => c.call)).toEqual(['GET /introspect']);
    await clearJournal();
    expect((await host.service.checkStatus(seeded.id)).vendor).toMatchObject({ status: 'error_permissions' });
    expect((await vendorCalls()).map((c) => c.call)).toEqual(['GET /introspect']);
    expect(await host.eventTypes(seeded.id)).toContain('connection.broken');
  });
});

describe('finch.disconnected', () => {
  it('webhook → revoked (terminal): no reconnect, status checks agree', async () => {
    const seeded = await seed(host);
    await scenario('finch.disconnected', { target: seeded.connectionId });
    await clearJournal();
    await host.ingestWebhooks();
    expect(await host.service.getConnection(seeded.id)).toMatchObject({
      state: 'revoked',
      problem: { fix: 'new_connection' },
    });
    // The confirming status read skips a terminal connection: no vendor call.
    expect(await vendorCalls()).toEqual([]);
    expect(await host.eventTypes(seeded.id)).toContain('connection.revoked');
    await clearJournal();
    expect(await reconnectError(host.service.startReconnection(seeded.id))).toBe('connection_terminal');
    expect(await vendorCalls()).toEqual([]);
    const error = await new Finch({
      accessToken: seeded.accessToken,
      baseURL: mock.url,
      maxRetries: 0,
    }).account
      .introspect()
      .catch((caught: unknown) => caught);
    expect(host.container.resolve(FinchProvider).classifyError(error)?.state).toBe('revoked');
  });

  it('revoke() calls POST /disconnect with the connection token', async () => {
    const seeded = await seed(host);
    await clearJournal();
    expect((await host.service.revoke(seeded.id)).state).toBe('disconnected');
    expect(await vendorCalls()).toEqual([{ call: 'POST /disconnect', auth: 'Bearer', body: undefined }]);
    expect(host.sent.at(-1)).toBe(`POST /disconnect Bearer ${seeded.accessToken}`);
    expect(await host.eventTypes(seeded.id)).toContain('connection.disconnected');
  });
});

describe('finch.reauth_different_company', () => {
  it('the login lands in another company: account_mismatch, the connection is back in needs_reauth, not switched', async () => {
    const seeded = await seed(host);
    await scenario('finch.reauth_different_company', { target: seeded.connectionId });
    await clearJournal();
    await host.ingestWebhooks();
    const broken = await host.service.getConnection(seeded.id);
    expect(broken.state).toBe('needs_reauth');
    expect((await vendorCalls()).map((c) => c.call)).toEqual(['GET /introspect']);
    const { state, code } = await startAndLogIn(host, seeded);
    const eventsBefore = (await host.eventTypes(seeded.id)).length;
    const outcome = await host.service.completeReconnection({ state, code });
    expect(outcome).toMatchObject({
      outcome: 'account_mismatch',
      expected: { upstreamId: seeded.connectionId, upstreamParentId: seeded.companyId },
    });
    if (outcome.outcome !== 'account_mismatch') throw new Error('expected a mismatch');
    expect(outcome.actual.upstreamId).not.toBe(seeded.connectionId);
    expect(outcome.actual.upstreamParentId).not.toBe(seeded.companyId);
    const after = await host.service.getConnection(seeded.id);
    expect(outcome.connection).toEqual(after);
    expect(after).toMatchObject({
      state: 'needs_reauth',
      upstreamId: seeded.connectionId,
      upstreamParentId: seeded.companyId,
    });
    expect(after.problem).toEqual(broken.problem);
    expect(after.vendor).toEqual(broken.vendor);
    expect((await host.eventTypes(seeded.id)).slice(eventsBefore)).toEqual([
      'connection.account_mismatch',
      'connection.state_changed',
    ]);
    // The old token still reads the original connection, which still needs re-authentication.
    expect((await host.service.checkStatus(seeded.id)).state).toBe('needs_reauth');
  });
});

describe('re-authentication discovered by a reauth_error job', () => {
  /** Makes the mock's next data sync end in reauth_error and runs one; returns the job id. */
  async function failingSync(seeded: Seeded): Promise<string> {
    const finch = new Finch({ accessToken: seeded.accessToken, baseURL: mock.url, maxRetries: 0 });
    await finch.sandbox.jobs.configuration.update({
      type: 'data_sync_all',
      completion_status: 'reauth_error',
    });
    const job = await finch.jobs.automated.create({ type: 'data_sync_all' });
    await host.tick(61_000);
    // The mock settles jobs when the next API request arrives (Finch runs them on its own).
    await finch.providers.list();
    return job.job_id ?? '';
  }

  /** Individual, benefit and payment ids as the token reads them (Finch keeps them across re-authentication). */
  const ids = async (accessToken: string) => {
    const finch = new Finch({ accessToken, baseURL: mock.url, maxRetries: 0 });
    const individuals = (await finch.hris.directory.list()).individuals.map((individual) => individual.id);
    const benefits: string[] = [];
    for await (const benefit of finch.hris.benefits.list()) benefits.push(benefit.benefit_id);
    const payments: string[] = [];
    for await (const payment of finch.hris.payments.list({
      start_date: '2000-01-01',
      end_date: '2100-01-01',
    }))
      payments.push(payment.id);
    return { individuals, benefits, payments };
  };

  it('the job.* webhook alone: its job is read, needs_reauth; reconnect recovers with the same ids', async () => {
    const seeded = await seed(host, {
      products: ['company', 'directory', 'individual', 'employment', 'payment', 'pay_statement', 'benefits'],
    });
    const idsBefore = await ids(seeded.accessToken);
    for (const list of Object.values(idsBefore)) expect(list.length).toBeGreaterThan(0);
    const jobId = await failingSync(seeded);
    await admin('POST', '/webhooks/flush');
    // Only the job webhook is ingested (Finch's account.updated is left out): the job result must tell.
    const jobWebhooks = takeDeliveries().filter(
      (delivery) =>
        JSON.parse(new TextDecoder().decode(delivery.rawBody)).event_type === 'job.data_sync_all.completed',
    );
    expect(jobWebhooks).toHaveLength(1);
    await clearJournal();
    for (const delivery of jobWebhooks)
      await host.service.ingestWebhook('finch', delivery.rawBody, delivery.headers);
    await host.service.settle();
    expect((await vendorCalls()).map((c) => c.call)).toEqual([`GET /jobs/automated/${jobId}`]);
    expect(await host.service.getConnection(seeded.id)).toMatchObject({
      state: 'needs_reauth',
      vendor: { status: 'reauth', code: 'reauth_error' },
      problem: { fix: 'reenter_credentials' },
    });
    expect(await host.eventTypes(seeded.id)).toContain('connection.broken');

    await host.tick(1000);
    const { code, state } = await startAndLogIn(host, seeded);
    expect((await host.service.completeReconnection({ state, code })).outcome).toBe('recovered');
    host.sent.length = 0;
    expect(await host.service.checkStatus(seeded.id)).toMatchObject({
      state: 'connected',
      upstreamId: seeded.connectionId,
    });
    const newToken = host.sent[0]?.split(' ')[3] ?? '';
    expect(newToken).not.toBe(seeded.accessToken);
    expect(await ids(newToken)).toEqual(idsBefore);
  });

  it('the host’s own job read through withReauthReporting marks the connection needs_reauth', async () => {
    const seeded = await seed(host);
    const jobId = await failingSync(seeded);
    const job = await hostClient(host, seeded).jobs.automated.retrieve(jobId);
    expect(job.status).toBe('reauth_error');
    expect(await host.service.getConnection(seeded.id)).toMatchObject({
      state: 'needs_reauth',
      vendor: { code: 'reauth_error' },
    });
  });
});

describe('re-authentication discovered by a single entity’s status', () => {
  it('one entity in reauth: degraded naming it; the reauth session restores it, ids unchanged', async () => {
    const { changed } = (await scenario('finch.seed_connected', { provider_id: 'gusto', entities: 3 })) as {
      changed: { connection_id: string; company_id: string | null; access_token: string };
    };
    // A multi-entity connection has no single company: company_id is null (token, introspect, sandbox).
    expect(changed.company_id).toBeNull();
    const connection = await host.service.registerConnection({
      provider: 'finch',
      hostUserId: 'host-user-42',
      upstreamId: changed.connection_id,
      upstreamParentId: changed.company_id ?? undefined,
      secrets: { access_token: changed.access_token },
    });
    await host.tick(1000);
    const seeded: Seeded = {
      id: connection.id,
      connectionId: changed.connection_id,
      companyId: changed.company_id ?? '',
      accessToken: changed.access_token,
    };
    const { changed: broke } = (await scenario('finch.entity_reauth', { target: seeded.connectionId })) as {
      changed: { entity_id: string };
    };
    await host.ingestWebhooks();
    const degraded = await host.service.getConnection(seeded.id);
    expect(degraded).toMatchObject({ state: 'degraded', problem: { fix: 'reenter_credentials' } });
    expect(degraded.vendor?.message).toContain(broke.entity_id);
    expect(await host.eventTypes(seeded.id)).toContain('connection.degraded');

    await host.tick(1000);
    const { code, state } = await startAndLogIn(host, seeded);
    // The token names no company either: a null company is never taken for another company (no mismatch).
    const outcome = await host.service.completeReconnection({ state, code });
    expect(outcome).toMatchObject({ outcome: 'recovered', connection: { upstreamParentId: undefined } });
    await host.tick(1000);
    expect((await host.service.checkStatus(seeded.id)).state).toBe('connected');
  });
});

describe('Connect session expiry', () => {
  it('a 30-day reauthentication link reaches the host as one connection.expiring with its deadline', async () => {
    const thirtyDays = 30 * 24 * 60 * 60 * 1000;
    const mailing = await startHost({ minutesToExpire: 43_200 }, thirtyDays);
    const seeded = await seed(mailing);
    await scenario('finch.reauth', { target: seeded.connectionId });
    await mailing.ingestWebhooks();
    await clearJournal();
    const { action, connection } = await mailing.service.startReconnection(seeded.id);
    const deadline = new Date(mailing.clock.now().getTime() + thirtyDays);
    expect((await vendorCalls())[1]?.body).toMatchObject({ minutes_to_expire: 43_200 });
    expect(action).toMatchObject({
      expiresAt: deadline,
      warning: { code: 'connect_link_expiring', deadline },
    });
    expect(connection).toMatchObject({
      state: 'reconnecting',
      warning: { deadline: deadline.toISOString() },
    });
    await mailing.service.deliverOutbox();
    const expiring = mailing.events.filter((event) => event.type === 'connection.expiring');
    expect(expiring).toMatchObject([{ connectionId: seeded.id, data: { deadline: deadline.toISOString() } }]);
    // The employer uses the link days later: the reconnect completes and the episode ends.
    await mailing.tick(3 * 24 * 60 * 60 * 1000);
    const redirect = await employerLogsIn(action.kind === 'redirect' ? action.url : '');
    const outcome = await mailing.service.completeReconnection({
      state: redirect.searchParams.get('state') ?? '',
      code: redirect.searchParams.get('code') ?? '',
    });
    expect(outcome.outcome).toBe('recovered');
    expect(outcome.connection.warning).toBeUndefined();
  });
});

describe('Connect again: openConnectSession', () => {
  const exchange = (code: string) =>
    new Finch({
      clientID: FINCH_DEFAULT_CREDENTIALS.client_id,
      clientSecret: FINCH_DEFAULT_CREDENTIALS.client_secret,
      baseURL: mock.url,
      maxRetries: 0,
    }).accessTokens.create({ code, redirect_uri: CALLBACK });

  it('after an account mismatch, a new session for the same customer re-authenticates the live connection (no internal_error)', async () => {
    const customerId = `customer-${randomBytes(4).toString('hex')}`;
    const seeded = await seed(host, { customer_id: customerId });
    await scenario('finch.reauth_different_company', { target: seeded.connectionId });
    await host.ingestWebhooks();
    const { state, code } = await startAndLogIn(host, seeded);
    expect((await host.service.completeReconnection({ state, code })).outcome).toBe('account_mismatch');

    await clearJournal();
    const session = await host.container
      .resolve(FinchProvider)
      .openConnectSession({ customerId, customerName: 'Acme Inc', state: 'host-state-1' });
    expect((await vendorCalls()).map((c) => `${c.call} ${c.auth}`)).toEqual([
      'POST /connect/sessions Basic',
      'POST /connect/sessions/reauthenticate Basic',
    ]);
    if (session.kind !== 'reauthenticate')
      throw new Error(`expected a reauthenticate session, got ${session.kind}`);
    expect(session.message).toContain('already has a live Finch connection');
    expect(session.expiresAt).toEqual(new Date(Date.parse(START) + 1000 + 43_200 * 60_000));
    const redirect = await employerLogsIn(session.url);
    expect(redirect.searchParams.get('state')).toBe('host-state-1');
    const token = await exchange(redirect.searchParams.get('code') ?? '');
    expect(token.connection_id).toBe(session.connectionId);
  });

  it('a customer without a live connection gets a new session (90 days); its code makes a new connection', async () => {
    const seeded = await seed(host);
    await clearJournal();
    const session = await host.container.resolve(FinchProvider).openConnectSession({
      customerId: `customer-${randomBytes(4).toString('hex')}`,
      customerName: 'Beta LLC',
      state: 'host-state-2',
      // The old connection's provider: Connect opens on it, without the provider picker.
      providerId: 'gusto',
    });
    expect(session).toMatchObject({
      kind: 'new_connection',
      expiresAt: new Date(Date.parse(START) + 1000 + 129_600 * 60_000),
    });
    const calls = await vendorCalls();
    expect(calls.map((c) => c.call)).toEqual(['POST /connect/sessions']);
    expect(calls[0]?.body).toMatchObject({ integration: { provider: 'gusto' }, minutes_to_expire: 129_600 });
    const redirect = await employerLogsIn(session.url);
    const token = await exchange(redirect.searchParams.get('code') ?? '');
    expect(token.connection_id).not.toBe(seeded.connectionId);
  });
});

describe('finch.rate_limited', () => {
  it('429 finch_application_rl with Retry-After → degraded with retryAfterMs; introspect recovers it', async () => {
    const seeded = await seed(host);
    await scenario('finch.rate_limited', { target: seeded.connectionId, calls: 1, retry_after_seconds: 30 });
    const error = await hostClient(host, seeded)
      .hris.directory.list()
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 429 });
    // Transient: withReauthReporting leaves it to the host; reporting it explicitly marks the connection degraded.
    expect((await host.service.getConnection(seeded.id)).state).toBe('connected');
    const degraded = await host.service.reportError(seeded.id, error);
    expect(degraded).toMatchObject({
      state: 'degraded',
      problem: { retryAfterMs: 30_000, vendor: { code: 'finch_application_rl' } },
    });
    await host.tick(30_000);
    await clearJournal();
    expect((await host.service.checkStatus(seeded.id)).state).toBe('connected');
    expect(await vendorCalls()).toEqual([{ call: 'GET /introspect', auth: 'Bearer', body: undefined }]);
    expect(await host.eventTypes(seeded.id)).toEqual(
      expect.arrayContaining(['connection.degraded', 'connection.recovered']),
    );
  });
});

describe('finch.provider_outage', () => {
  it('502 upstream_provider_error → degraded; /introspect still connected brings it back', async () => {
    const seeded = await seed(host);
    await scenario('finch.provider_outage', {
      target: seeded.connectionId,
      duration_seconds: 300,
      status: 502,
    });
    const error = await new Finch({
      accessToken: seeded.accessToken,
      baseURL: mock.url,
      maxRetries: 0,
    }).hris.company
      .retrieve()
      .catch((caught: unknown) => caught);
    expect(await host.service.reportError(seeded.id, error)).toMatchObject({
      state: 'degraded',
      vendor: { status: 'bad_gateway_error', code: 'upstream_provider_error' },
    });
    await host.tick(1000);
    await clearJournal();
    expect((await host.service.checkStatus(seeded.id)).state).toBe('connected');
    expect((await vendorCalls()).map((c) => c.call)).toEqual(['GET /introspect']);
    expect(await host.eventTypes(seeded.id)).toEqual(
      expect.arrayContaining(['connection.degraded', 'connection.recovered']),
    );
  });
});

describe('webhook signatures', () => {
  it('a stale Finch-Timestamp is rejected (webhook_stale) and changes nothing', async () => {
    const seeded = await seed(host);
    await admin('PUT', '/webhooks', { stale_timestamp: true });
    await scenario('finch.reauth', { target: seeded.connectionId });
    await admin('POST', '/webhooks/flush');
    const stale = takeDeliveries();
    expect(stale.length).toBeGreaterThan(0);
    for (const delivery of stale) {
      expect(
        await reconnectError(host.service.ingestWebhook('finch', delivery.rawBody, delivery.headers)),
      ).toBe('webhook_stale');
    }
    expect((await host.service.getConnection(seeded.id)).state).toBe('connected');
  });

  it('after a secret rotation, webhooks verify while both secrets are configured, not with the old one alone', async () => {
    const rotating = await startHost({
      webhookSecret: [FINCH_DEFAULT_CREDENTIALS.webhook_secret, ROTATED_SECRET],
    });
    const seeded = await seed(rotating);
    await admin('PUT', '/webhooks', { secret: ROTATED_SECRET });
    try {
      await scenario('finch.reauth', { target: seeded.connectionId });
      await admin('POST', '/webhooks/flush');
      const [delivery] = takeDeliveries();
      if (delivery === undefined) throw new Error('no webhook delivered');
      expect(
        await reconnectError(host.service.ingestWebhook('finch', delivery.rawBody, delivery.headers)),
      ).toBe('webhook_signature_invalid');
      await clearJournal();
      const result = await rotating.service.ingestWebhook('finch', delivery.rawBody, delivery.headers);
      expect(result.applied).toBe(1);
      await rotating.service.settle();
      expect((await vendorCalls()).map((c) => c.call)).toEqual(['GET /introspect']);
      expect((await rotating.service.getConnection(seeded.id)).state).toBe('needs_reauth');
    } finally {
      await admin('PUT', '/webhooks', { secret: FINCH_DEFAULT_CREDENTIALS.webhook_secret });
    }
  });
});

/**
 * The Argyle adapter driven through ReconnectionService against the Argyle mock over real HTTP: every catalogued
 * scenario, the one-click and re-enter-credentials loops through the mock's Link page, revocation, and the
 * signature vectors against the mock's own signer. Webhooks come from a real `POST /v2/webhooks` subscription
 * (include_resource) to a local receiver; vendor calls are asserted from the mock's request journal.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type ArgyleConfig, ArgyleProvider, registerArgyle } from '@reconnect-kit/argyle';
import {
  type Connection,
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
  DEFAULT_ARGYLE_CREDENTIALS,
  SANDBOX_USERS,
  signArgyleBody,
  startArgyleMock,
} from '@reconnect-kit/mock-argyle';
import { container } from 'tsyringe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callbackParams,
  connectedAccountId,
  continueConnecting,
  enterMfa,
  hasForm,
  logIn,
  openConnection,
  openLink,
  pressReconnect,
  returnUrl,
  shownErrorCode,
} from './argyle.test-helpers.js';
import { mockAdmin, startWebhookReceiver } from './finch.test-helpers.js';

const CALLBACK = 'https://host.example/argyle/callback';
const START = '2026-11-23T12:00:00.000Z';
const WEBHOOK_SECRET = 'argyle-contract-webhook-secret';
const BASIC = `Basic ${Buffer.from(`${DEFAULT_ARGYLE_CREDENTIALS.api_key_id}:${DEFAULT_ARGYLE_CREDENTIALS.api_key_secret}`).toString('base64')}`;
const MFA_CODE = SANDBOX_USERS[0]!.mfaCode;

// ---- plumbing: the mock with a real webhook subscription, a receiver, clocks kept in step ---------------------

let mock: Awaited<ReturnType<typeof startArgyleMock>>;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  mock = await startArgyleMock({ port: 0, env: {} });
  // Subscribed exactly as docs/providers/argyle.md tells host apps to.
  const subscribed = await fetch(`${mock.url}/v2/webhooks`, {
    method: 'POST',
    headers: { authorization: BASIC, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'reconnect-kit',
      url: receiver.url,
      secret: WEBHOOK_SECRET,
      events: [
        'accounts.added',
        'accounts.connected',
        'accounts.updated',
        'accounts.failed',
        'accounts.removed',
      ],
      config: { include_resource: true },
    }),
  });
  expect(subscribed.ok).toBe(true);
});

afterAll(async () => {
  await mock?.close();
  await receiver?.close();
});

const admin = (method: string, path: string, body?: unknown) => mockAdmin(mock.url, method, path, body);
const scenario = (id: string, input: Record<string, unknown>) => admin('POST', `/scenarios/${id}`, input);

/** Vendor calls journaled since the last `clearJournal()`: admin and Link page traffic excluded. */
async function vendorCalls(): Promise<string[]> {
  const { requests } = (await admin('GET', '/requests')) as {
    requests: { method: string; path: string; headers: Record<string, string> }[];
  };
  return requests
    .filter((r) => r.path.startsWith('/v2/'))
    .map((r) => `${r.method} ${r.path} ${r.headers.authorization?.split(' ')[0] ?? '-'}`);
}
const clearJournal = () => admin('DELETE', '/requests');

// ---- one host app per test -----------------------------------------------------------------------------------

interface Host {
  readonly service: ReconnectionService;
  readonly events: ConnectionEvent[];
  /** Advances the host's and the mock's clocks together. */
  tick(ms: number): Promise<void>;
  /**
   * Waits for the mock's queued webhooks, ingests every delivery received since the last call and waits for any
   * status read confirming them; returns event names.
   */
  ingestWebhooks(): Promise<string[]>;
  /** Delivers the outbox; returns the event types for one connection emitted since the previous call. */
  newEvents(connectionId: string): Promise<ConnectionEventType[]>;
}

async function startHost(argyle: Partial<ArgyleConfig> = {}): Promise<Host> {
  const clock = new ManualClock(START);
  await admin('POST', '/clock', { set: START });
  const child = container.createChildContainer();
  // Every adapter call must carry Basic auth with the configured key: checked here on the wire.
  const checkedFetch: HttpFetch = (input, init) => {
    const request = new Request(input, init);
    expect(request.headers.get('authorization')).toBe(BASIC);
    return fetch(request);
  };
  child.register(HTTP_FETCH, { useValue: checkedFetch });
  registerReconnectKit(child, {
    stateSigningKey: randomBytes(32).toString('hex'),
    secretBox: { keys: [{ id: 'k1', key: randomBytes(32).toString('base64') }], primaryKeyId: 'k1' },
    store: { kind: 'memory' },
    clock,
  });
  registerArgyle(child, {
    apiKeyId: DEFAULT_ARGYLE_CREDENTIALS.api_key_id,
    apiKeySecret: DEFAULT_ARGYLE_CREDENTIALS.api_key_secret,
    baseUrl: `${mock.url}/v2`,
    webhookSecret: ['an-older-rotated-secret', WEBHOOK_SECRET],
    linkUrl: `${mock.url}/link`,
    ...argyle,
  });
  expect(child.resolve(ArgyleProvider).id).toBe('argyle');
  const service = child.resolve<ReconnectionService>(RECONNECTION_SERVICE);
  const events: ConnectionEvent[] = [];
  service.subscribe((event) => {
    events.push(event);
  });
  return {
    service,
    events,
    async tick(ms) {
      await clock.advance(ms);
      await admin('POST', '/clock', { advance_ms: ms });
    },
    async ingestWebhooks() {
      await admin('POST', '/webhooks/flush?limit=0');
      const names: string[] = [];
      for (const delivery of receiver.deliveries.splice(0)) {
        names.push((JSON.parse(new TextDecoder().decode(delivery.rawBody)) as { event: string }).event);
        await service.ingestWebhook('argyle', delivery.rawBody, delivery.headers);
      }
      await service.settle();
      return names;
    },
    async newEvents(connectionId) {
      await service.deliverOutbox();
      const mine = events.filter((e) => e.connectionId === connectionId);
      events.splice(0, events.length, ...events.filter((e) => e.connectionId !== connectionId));
      return mine.map((e) => e.type);
    },
  };
}

interface Seeded {
  readonly connection: Connection;
  readonly accountId: string;
  readonly userId: string;
}

/** A user with one healthy account (the mock's Link login), registered with the host as connected. */
async function seed(host: Host): Promise<Seeded> {
  const { changed } = (await scenario('argyle.seed_connected', {})) as {
    changed: { account_id: string; user_id: string };
  };
  await admin('POST', '/webhooks/flush?limit=0');
  receiver.deliveries.splice(0); // the first connect happened before the host knew the account
  const connection = await host.service.registerConnection({
    provider: 'argyle',
    hostUserId: 'host-user-42',
    upstreamId: changed.account_id,
    upstreamParentId: changed.user_id,
    state: 'connected',
  });
  expect(await host.newEvents(connection.id)).toEqual(['connection.state_changed']); // registration
  await host.tick(1000);
  await clearJournal();
  return { connection, accountId: changed.account_id, userId: changed.user_id };
}

async function breakWith(host: Host, seeded: Seeded, id: string): Promise<string[]> {
  await scenario(id, { target: seeded.accountId });
  return host.ingestWebhooks();
}

const stateOf = async (host: Host, seeded: Seeded) =>
  (await host.service.getConnection(seeded.connection.id)).state;

async function errorCode(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (error === undefined) return undefined;
  if (!isReconnectKitError(error)) throw error;
  return error.code;
}

// ---- scenarios -------------------------------------------------------------------------------------------------

describe('Argyle adapter × Argyle mock: scenarios', () => {
  it('argyle.seed_connected: a status check reads the healthy account (GET /v2/accounts/{id})', async () => {
    const host = await startHost();
    const seeded = await seed(host);
    const checked = await host.service.checkStatus(seeded.connection.id);
    expect(checked.state).toBe('connected');
    expect(checked.vendor).toMatchObject({ status: 'connected', code: null });
    expect(await vendorCalls()).toEqual([`GET /v2/accounts/${seeded.accountId} Basic`]);
  });

  const BROKEN = ['connection.broken', 'connection.state_changed', 'connection.notification'];
  const DEGRADED = ['connection.degraded', 'connection.state_changed'];
  it.each([
    ['argyle.auth_required', ['accounts.updated'], 'needs_reauth', 'auth_required', 'one_click', BROKEN],
    [
      'argyle.expired_credentials',
      ['accounts.updated'],
      'needs_credentials',
      'expired_credentials',
      'reenter_credentials',
      BROKEN,
    ],
    [
      'argyle.mfa_timeout',
      ['accounts.failed', 'accounts.updated'],
      'needs_reauth',
      'mfa_timeout',
      'one_click',
      BROKEN,
    ],
    ['argyle.system_error', ['accounts.updated'], 'degraded', 'system_error', 'wait', DEGRADED],
  ])('%s → webhooks %j → %s', async (id, webhooks, state, code, fix, events) => {
    const host = await startHost();
    const seeded = await seed(host);
    expect(await breakWith(host, seeded, id)).toEqual(webhooks);
    const connection = await host.service.getConnection(seeded.connection.id);
    expect(connection.state).toBe(state);
    expect(connection.vendor).toMatchObject({ status: 'error', code });
    expect(connection.problem?.fix).toBe(fix);
    expect(await host.newEvents(seeded.connection.id)).toEqual(events);
    expect(await vendorCalls()).toEqual([]); // webhooks carry the account: no vendor call needed
    // A status check agrees with the webhook and applies nothing new.
    expect((await host.service.checkStatus(seeded.connection.id)).state).toBe(state);
    expect(await host.newEvents(seeded.connection.id)).toEqual([]);
  });

  it.each(['argyle.user_revoked', 'argyle.account_deleted'])(
    '%s → accounts.removed → revoked (terminal: reconnecting is refused)',
    async (id) => {
      const host = await startHost();
      const seeded = await seed(host);
      expect(await breakWith(host, seeded, id)).toEqual(['accounts.removed']);
      expect(await stateOf(host, seeded)).toBe('revoked');
      expect(await host.newEvents(seeded.connection.id)).toEqual([
        'connection.revoked',
        'connection.state_changed',
        'connection.notification',
      ]);
      expect(await errorCode(host.service.startReconnection(seeded.connection.id))).toBe(
        'connection_terminal',
      );
      expect(await vendorCalls()).toEqual([]);
    },
  );

  it('429 with Retry-After (mock fault): checkStatus throws upstream_rate_limited; reportError marks degraded', async () => {
    const host = await startHost();
    const seeded = await seed(host);
    await admin('POST', '/faults', {
      method: 'GET',
      path: '/v2/accounts/:id',
      status: 429,
      retry_after: 30,
      times: 1,
    });
    const error = await host.service.checkStatus(seeded.connection.id).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isReconnectKitError(error, 'upstream_rate_limited')).toBe(true);
    const reported = await host.service.reportError(seeded.connection.id, error);
    expect(reported.state).toBe('degraded');
    expect(reported.problem).toMatchObject({ fix: 'wait', retryAfterMs: 30_000 });
    // The fault was used up: the next check reads the healthy account and recovers.
    expect((await host.service.checkStatus(seeded.connection.id)).state).toBe('connected');
  });

  it('an accounts.updated without resource is confirmed with GET /v2/accounts/{id} and applied from it', async () => {
    const host = await startHost();
    const seeded = await seed(host);
    // A subscription without include_resource, as a host that skipped that step would have.
    const bare = await startWebhookReceiver();
    const created = await fetch(`${mock.url}/v2/webhooks`, {
      method: 'POST',
      headers: { authorization: BASIC, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'bare',
        url: bare.url,
        secret: WEBHOOK_SECRET,
        events: ['accounts.updated'],
      }),
    });
    const { id } = (await created.json()) as { id: string };
    try {
      await scenario('argyle.auth_required', { target: seeded.accountId });
      await admin('POST', '/webhooks/flush?limit=0');
      receiver.deliveries.splice(0); // the include_resource copies are not used here
      const deliveries = bare.deliveries.splice(0);
      expect(deliveries.map((d) => JSON.parse(new TextDecoder().decode(d.rawBody)))).toEqual([
        { event: 'accounts.updated', name: 'bare', data: { account: seeded.accountId, user: seeded.userId } },
      ]);
      await clearJournal();
      for (const delivery of deliveries) {
        const result = await host.service.ingestWebhook('argyle', delivery.rawBody, delivery.headers);
        expect(result).toMatchObject({ applied: 0, duplicates: 0, ignored: 1 }); // journaled as today
      }
      await host.service.settle();
      expect(await vendorCalls()).toEqual([`GET /v2/accounts/${seeded.accountId} Basic`]);
      expect(await stateOf(host, seeded)).toBe('needs_reauth');
      expect(await host.newEvents(seeded.connection.id)).toEqual([
        'connection.broken',
        'connection.state_changed',
        'connection.notification',
      ]);
    } finally {
      await fetch(`${mock.url}/v2/webhooks/${id}`, { method: 'DELETE', headers: { authorization: BASIC } });
      await bare.close();
    }
  });

  it('a redelivered webhook (same bytes) is deduplicated', async () => {
    const host = await startHost();
    const seeded = await seed(host);
    await scenario('argyle.auth_required', { target: seeded.accountId });
    await admin('POST', '/webhooks/flush?limit=0');
    const [delivery] = receiver.deliveries.splice(0);
    const first = await host.service.ingestWebhook('argyle', delivery!.rawBody, delivery!.headers);
    const again = await host.service.ingestWebhook('argyle', delivery!.rawBody, delivery!.headers);
    expect([first.applied, again.duplicates]).toEqual([1, 1]);
  });

  it('a webhook signed with a secret we do not hold is refused before parsing', async () => {
    const host = await startHost();
    const seeded = await seed(host);
    await scenario('argyle.auth_required', { target: seeded.accountId });
    await admin('POST', '/webhooks/flush?limit=0');
    const [delivery] = receiver.deliveries.splice(0);
    const forged = new Headers(delivery!.headers);
    forged.set('x-argyle-signature', signArgyleBody(delivery!.rawBody, 'attacker'));
    expect(await errorCode(host.service.ingestWebhook('argyle', delivery!.rawBody, forged))).toBe(
      'webhook_signature_invalid',
    );
    expect(await stateOf(host, seeded)).toBe('connected');
  });
});

// ---- reconnect loops through the mock's Link page ----------------------------------------------------------------

describe('Argyle adapter × Argyle mock: reconnect loops', () => {
  it('one click: auth_required → Link Reconnect + MFA → accounts.connected → connection.recovered, same account', async () => {
    const host = await startHost();
    const seeded = await seed(host);
    await breakWith(host, seeded, 'argyle.auth_required');
    await host.newEvents(seeded.connection.id);
    await clearJournal();

    const { action, connection } = await host.service.startReconnection(seeded.connection.id, {
      redirectUri: CALLBACK,
    });
    expect(connection.state).toBe('reconnecting');
    if (action.kind !== 'widget') throw new Error(`expected a Link widget action, got ${action.kind}`);
    expect(action).toMatchObject({ mode: 'one_click', config: { accountId: seeded.accountId } });
    expect(await vendorCalls()).toEqual([
      `GET /v2/accounts/${seeded.accountId} Basic`,
      'POST /v2/user-tokens Basic',
    ]);

    const account = await openLink(action.url!);
    expect(account.status).toBe(200);
    const mfa = await pressReconnect(account);
    const success = await enterMfa(mfa, MFA_CODE);
    const back = returnUrl(success);
    expect(back.origin + back.pathname).toBe(CALLBACK);
    expect(back.searchParams.get('account_id')).toBe(seeded.accountId);

    expect(await host.ingestWebhooks()).toEqual([
      'accounts.updated',
      'accounts.connected',
      'accounts.updated',
    ]);
    expect(await stateOf(host, seeded)).toBe('connected');

    await clearJournal();
    const completed = await host.service.completeReconnection(callbackParams(back));
    expect(completed.outcome).toBe('recovered');
    expect(completed.connection.upstreamId).toBe(seeded.accountId);
    // The callback's account_id is a claim: confirmed among the accounts of the connection's own Argyle user.
    expect(await vendorCalls()).toEqual(['GET /v2/accounts Basic']);
    expect(await host.newEvents(seeded.connection.id)).toEqual([
      'connection.reconnect_started',
      'connection.state_changed',
      'connection.recovered',
      'connection.state_changed',
    ]);
  });

  it('left at the MFA step: after the state expires the connection needs the user again, and can be resumed', async () => {
    const host = await startHost();
    const seeded = await seed(host);
    await breakWith(host, seeded, 'argyle.auth_required');
    await host.newEvents(seeded.connection.id);
    const broken = await host.service.getConnection(seeded.connection.id);

    const first = await host.service.startReconnection(seeded.connection.id, { redirectUri: CALLBACK });
    if (first.action.kind !== 'widget') throw new Error('expected a Link widget action');
    const mfa = await pressReconnect(await openLink(first.action.url!));
    expect(hasForm(mfa, 'mfa')).toBe(true);
    await host.ingestWebhooks(); // Argyle: the account is connecting
    expect(await stateOf(host, seeded)).toBe('reconnecting');

    // The user closes the tab. No job runs: the next read, after the state's lifetime, takes the connection back.
    await host.tick(30 * 60 * 1000);
    const back = await host.service.getConnection(seeded.connection.id);
    expect(back).toMatchObject({ state: 'needs_reauth', problem: broken.problem });
    // Argyle still reports the account as connecting; a status read does not start a reconnect again.
    expect((await host.service.checkStatus(seeded.connection.id)).state).toBe('needs_reauth');
    expect(await host.newEvents(seeded.connection.id)).toEqual([
      'connection.reconnect_started',
      'connection.state_changed',
      'connection.reconnect_abandoned',
      'connection.state_changed',
    ]);

    // Reconnect again: Link offers to continue the interrupted connection.
    const second = await host.service.startReconnection(seeded.connection.id, { redirectUri: CALLBACK });
    if (second.action.kind !== 'widget') throw new Error('expected a Link widget action');
    const account = await openLink(second.action.url!);
    const success = await enterMfa(await continueConnecting(account), MFA_CODE);
    const completed = await host.service.completeReconnection(callbackParams(returnUrl(success)));
    expect(completed.outcome).toBe('recovered');
    await host.ingestWebhooks();
    expect(await stateOf(host, seeded)).toBe('connected');
  });

  it('completion before the webhook: the callback recovers the connection, the late webhooks change nothing', async () => {
    const host = await startHost();
    const seeded = await seed(host);
    await breakWith(host, seeded, 'argyle.auth_required');
    const { action } = await host.service.startReconnection(seeded.connection.id, { redirectUri: CALLBACK });
    if (action.kind !== 'widget') throw new Error('expected a Link widget action');
    const success = await enterMfa(await pressReconnect(await openLink(action.url!)), MFA_CODE);
    const completed = await host.service.completeReconnection(callbackParams(returnUrl(success)));
    expect(completed.outcome).toBe('recovered');
    await host.ingestWebhooks();
    expect(await stateOf(host, seeded)).toBe('connected');
    expect(
      (await host.newEvents(seeded.connection.id)).filter((t) => t === 'connection.recovered'),
    ).toHaveLength(1);
  });

  it('argyle.invalid_credentials_on_reconnect → needs_credentials; then the re-enter-credentials loop recovers', async () => {
    const host = await startHost();
    const seeded = await seed(host);
    await breakWith(host, seeded, 'argyle.auth_required');
    expect(await breakWith(host, seeded, 'argyle.invalid_credentials_on_reconnect')).toEqual([]);

    // One-click attempt: the armed failure makes it fail with invalid_credentials.
    const first = await host.service.startReconnection(seeded.connection.id, { redirectUri: CALLBACK });
    if (first.action.kind !== 'widget') throw new Error('expected a Link widget action');
    const failedPage = await pressReconnect(await openLink(first.action.url!));
    expect(shownErrorCode(failedPage)).toBe('invalid_credentials');
    expect(await host.ingestWebhooks()).toEqual(['accounts.updated', 'accounts.failed', 'accounts.updated']);
    const failed = await host.service.getConnection(seeded.connection.id);
    expect(failed.state).toBe('needs_credentials');
    expect(failed.vendor).toMatchObject({ code: 'invalid_credentials' });

    // Second attempt: Link opens on the login form; the user types the sandbox credentials.
    await clearJournal();
    const second = await host.service.startReconnection(seeded.connection.id, { redirectUri: CALLBACK });
    if (second.action.kind !== 'widget') throw new Error('expected a Link widget action');
    expect(second.action.mode).toBe('reenter_credentials');
    const form = await openLink(second.action.url!);
    expect(hasForm(form, 'login')).toBe(true);
    expect(hasForm(form, 'reconnect')).toBe(false);
    const success = await enterMfa(await logIn(form, SANDBOX_USERS[0]!.username, 'passgood'), MFA_CODE);
    const completed = await host.service.completeReconnection(callbackParams(returnUrl(success)));
    expect(completed.outcome).toBe('recovered');
    expect(await host.ingestWebhooks()).toEqual([
      'accounts.updated',
      'accounts.connected',
      'accounts.updated',
    ]);
    expect(await stateOf(host, seeded)).toBe('connected');
    expect(await vendorCalls()).toEqual([
      `GET /v2/accounts/${seeded.accountId} Basic`,
      'POST /v2/user-tokens Basic',
      'GET /v2/accounts Basic',
    ]);
    expect(await host.newEvents(seeded.connection.id)).toEqual([
      'connection.broken',
      'connection.state_changed',
      'connection.notification',
      'connection.reconnect_started',
      'connection.state_changed',
      'connection.broken',
      'connection.state_changed',
      'connection.notification',
      'connection.reconnect_started',
      'connection.state_changed',
      'connection.recovered',
      'connection.state_changed',
    ]);
  });

  it("a callback naming another user's account is a failed attempt: never read, the connection back in needs_reauth", async () => {
    const host = await startHost();
    const seeded = await seed(host);
    await breakWith(host, seeded, 'argyle.auth_required');
    const { action } = await host.service.startReconnection(seeded.connection.id, { redirectUri: CALLBACK });
    if (action.kind !== 'widget') throw new Error('expected a Link widget action');
    // Someone holding the state names an account of another Argyle user.
    const other = (await scenario('argyle.seed_connected', {})) as { changed: { account_id: string } };
    await clearJournal();
    const state = new URL(new URL(action.url!).searchParams.get('redirect_uri')!).searchParams.get('state')!;
    const outcome = await host.service.completeReconnection({ state, account_id: other.changed.account_id });
    expect(outcome.outcome).toBe('failed');
    expect(outcome.connection).toMatchObject({ state: 'needs_reauth', upstreamId: seeded.accountId });
    expect(await stateOf(host, seeded)).toBe('needs_reauth');
    expect(await vendorCalls()).toEqual(['GET /v2/accounts Basic']);
  });

  it('invite user: reconnect RE-SENDS the original invite (never a new one); the same invite URL reconnects', async () => {
    const host = await startHost();
    // The host invited the user once; the user connected through the hosted invite page.
    const created = await fetch(`${mock.url}/v2/invites`, {
      method: 'POST',
      headers: { authorization: BASIC, 'content-type': 'application/json' },
      body: JSON.stringify({ first_name: 'Bob', last_name: 'Jones', email: 'bob@example.com' }),
    });
    const invite = (await created.json()) as { id: string; user: string; url: string };
    const login = await logIn(
      await openLink(invite.url),
      SANDBOX_USERS[0]!.username,
      'passgood',
      'item_000029932',
    );
    const accountId = connectedAccountId(await enterMfa(login, MFA_CODE));
    await admin('POST', '/webhooks/flush?limit=0');
    receiver.deliveries.splice(0);
    const connection = await host.service.registerConnection({
      provider: 'argyle',
      hostUserId: 'host-user-7',
      upstreamId: accountId,
      upstreamParentId: invite.user,
      state: 'connected',
      metadata: { invite_id: invite.id },
    });
    const seeded = { connection, accountId, userId: invite.user };
    await breakWith(host, seeded, 'argyle.auth_required');
    await clearJournal();

    const { action } = await host.service.startReconnection(connection.id);
    expect(action).toEqual({ kind: 'resend_invite', inviteId: invite.id, url: invite.url });
    expect(await vendorCalls()).toEqual([`POST /v2/invites/${invite.id} Basic`]);
    const { results } = (await (
      await fetch(`${mock.url}/v2/invites`, { headers: { authorization: BASIC } })
    ).json()) as { results: { id: string; deliveries: unknown[] }[] };
    expect(results.filter((i) => i.id === invite.id).map((i) => i.deliveries.length)).toEqual([2]);

    const home = await openLink(invite.url);
    await enterMfa(await pressReconnect(await openConnection(home, accountId)), MFA_CODE);
    await host.ingestWebhooks();
    expect(await stateOf(host, seeded)).toBe('connected');
    expect(await host.newEvents(connection.id)).toContain('connection.recovered');
  });

  it('shareable-URL user: reconnect REDIRECTS to the URL recorded on the Argyle user; the same URL reconnects the same account', async () => {
    const host = await startHost({ shareableUrls: { source: 'user_external_metadata' } });
    // The user opened the host's shareable URL (the flow's), which gave them their own; they connected there.
    const home = await openLink(`${mock.url}/link/share`);
    const ownUrl = home.html.match(/id="shareable-url" href="[^"]*">([^<]+)</)?.[1];
    expect(ownUrl).toMatch(/\/link\/share\/[^/]+$/);
    const success = await enterMfa(
      await logIn(await openLink(ownUrl!), SANDBOX_USERS[0]!.username, 'passgood', 'item_000029932'),
      MFA_CODE,
    );
    const accountId = connectedAccountId(success);
    const userId = success.html.match(/id="user-id">([^<]+)</)?.[1];
    // The host recorded the URL on the Argyle user (Argyle's API has no field for it; Console shows it).
    const patched = await fetch(`${mock.url}/v2/users/${userId}`, {
      method: 'PATCH',
      headers: { authorization: BASIC, 'content-type': 'application/json' },
      body: JSON.stringify({ external_metadata: { shareable_url: ownUrl } }),
    });
    expect(patched.status).toBe(200);
    await admin('POST', '/webhooks/flush?limit=0');
    receiver.deliveries.splice(0);
    const connection = await host.service.registerConnection({
      provider: 'argyle',
      hostUserId: 'host-user-9',
      upstreamId: accountId,
      upstreamParentId: userId,
      state: 'connected',
    });
    const seeded = { connection, accountId, userId: userId! };
    await breakWith(host, seeded, 'argyle.auth_required');
    await clearJournal();

    const { action } = await host.service.startReconnection(connection.id);
    expect(action).toMatchObject({ kind: 'redirect', url: ownUrl });
    expect(await vendorCalls()).toEqual([`GET /v2/users/${userId} Basic`]);

    // Following the redirect opens Link on the user's connections: Reconnect keeps the same account.
    const back = await openLink((action as { url: string }).url);
    await enterMfa(await pressReconnect(await openConnection(back, accountId)), MFA_CODE);
    await host.ingestWebhooks();
    expect(await stateOf(host, seeded)).toBe('connected');
    expect(await host.newEvents(connection.id)).toContain('connection.recovered');
    const { results } = (await (
      await fetch(`${mock.url}/v2/accounts?user=${userId}`, { headers: { authorization: BASIC } })
    ).json()) as { results: { id: string }[] };
    expect(results.map((a) => a.id)).toEqual([accountId]);
  });

  it('revoke: DELETE /v2/accounts/{id} (204), then accounts.removed changes nothing (already disconnected)', async () => {
    const host = await startHost();
    const seeded = await seed(host);
    const revoked = await host.service.revoke(seeded.connection.id);
    expect(revoked.state).toBe('disconnected');
    expect(await vendorCalls()).toEqual([`DELETE /v2/accounts/${seeded.accountId} Basic`]);
    expect(await host.ingestWebhooks()).toEqual(['accounts.removed']);
    expect(await stateOf(host, seeded)).toBe('disconnected');
  });
});

// ---- signature vectors -------------------------------------------------------------------------------------------

describe('fixtures/vectors/argyle.json against the mock signer', () => {
  const vectors = JSON.parse(
    readFileSync(new URL('../../fixtures/vectors/argyle.json', import.meta.url), 'utf8'),
  ) as {
    description: string;
    secret: string;
    body: string;
    signature: string;
    valid: boolean;
  }[];
  it.each(vectors)('$description', (vector) => {
    const signed = signArgyleBody(new TextEncoder().encode(vector.body), vector.secret);
    expect(signed === vector.signature).toBe(vector.valid);
  });
});

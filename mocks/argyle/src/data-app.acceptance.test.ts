/**
 * Acceptance (issue 13): a realistic payroll-data app, end to end over HTTP against the mock. It subscribes to
 * webhooks (verifying each HMAC-SHA512 signature), creates a user, connects through Link, waits for
 * `paystubs.fully_synced`, reads identities, employments, every page of paystubs, payroll documents and deposit
 * destinations, survives an `auth_required` break (data readable, refresh paused), reconnects, gets the next
 * paystub when the clock passes one pay period, and finds the data gone after revoking. The harness validates every
 * response body and every webhook against the fixture schemas.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, expect, test } from 'vitest';
import {
  type ArgyleHarness,
  connectThroughLink,
  elementText,
  inputValue,
  type ReceivedWebhook,
  startHarness,
} from './argyle.test-helpers.js';

const harness: ArgyleHarness = await startHarness();
afterAll(() => harness.close());

const SECRET = 'app-webhook-secret';
const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

interface Page<T> {
  next: string | null;
  results: T[];
}

/** What the app keeps: verified webhook events by name. */
const inbox: ReceivedWebhook[] = [];

async function receive(): Promise<ReceivedWebhook[]> {
  const fresh = await harness.takeWebhooks('/app');
  for (const webhook of fresh) {
    const expected = createHmac('sha512', SECRET).update(webhook.raw).digest();
    const given = Buffer.from(String(webhook.headers['x-argyle-signature']), 'hex');
    expect(given.length === expected.length && timingSafeEqual(given, expected)).toBe(true);
  }
  inbox.push(...fresh);
  return fresh;
}

async function readAll<T>(path: string): Promise<T[]> {
  const rows: T[] = [];
  let next: string | null = path;
  while (next !== null) {
    const page: { status: number; body: Page<T> } = await harness.api<Page<T>>('GET', next);
    expect(page.status).toBe(200);
    rows.push(...page.body.results);
    next = page.body.next;
  }
  return rows;
}

interface Paystub {
  id: string;
  paystub_date: string;
  employment: string;
  payroll_document: string;
  gross_pay_list: { amount: string | null }[];
  destinations: { ach_deposit_account: { account_number: string } | null }[];
}

test('a payroll-data app: connect, sync, read everything, break, reconnect, refresh, revoke', async () => {
  await harness.admin('POST', '/clock', { set: '2026-01-29T19:25:10.118Z' });
  const subscription = await harness.api('POST', '/v2/webhooks', {
    name: 'payroll-app',
    url: `${harness.receiverUrl}/app`,
    secret: SECRET,
    events: [
      'accounts.connected',
      'accounts.updated',
      'accounts.removed',
      'identities.added',
      'paystubs.added',
      'paystubs.partially_synced',
      'paystubs.fully_synced',
      'users.fully_synced',
    ],
    config: { include_resource: true },
  });
  expect(subscription.status).toBe(201);

  // 1. Create the user and connect through Link (Sarah, paid every other Friday, at Walmart).
  const created = await harness.api<{ id: string; user_token: string }>('POST', '/v2/users', {
    external_id: 'app-user-7',
  });
  const userId = created.body.id;
  const item = await harness.api<{ status: string }>('GET', '/v2/items/item_000029932');
  expect(item.body.status).toBe('healthy');
  const done = await connectThroughLink(harness, created.body.user_token, { username: 'test_2' });
  const accountId = elementText(done.html, 'account-id')!;

  // 2. Wait for paystubs.fully_synced, as apps do before reading.
  const synced = (await receive()).find((webhook) => webhook.json.event === 'paystubs.fully_synced');
  expect(synced?.json.data).toMatchObject({ account: accountId, user: userId, available_count: 52 });
  const statuses = inbox
    .filter((webhook) => webhook.json.event === 'accounts.updated')
    .map(
      (webhook) =>
        (webhook.json.data.resource as { availability: { paystubs: { status: string } } }).availability
          .paystubs.status,
    );
  expect(statuses).toEqual(['in_progress', 'in_progress', 'synced']);

  const added = inbox.find((webhook) => webhook.json.event === 'identities.added')!;
  expect(added.json.data.resource).toMatchObject({ id: added.json.data.identity, first_name: 'Sarah' });

  // 3. Read everything.
  const identities = await readAll<{ employment: string; first_name: string }>(
    `/v2/identities?user=${userId}`,
  );
  const employments = await readAll<{ id: string; account: string }>(`/v2/employments?user=${userId}`);
  expect(identities.map((identity) => identity.employment)).toEqual(
    employments.map((employment) => employment.id),
  );
  expect(identities[0]!.first_name).toBe('Sarah');
  const paystubs = await readAll<Paystub>(`/v2/paystubs?account=${accountId}&limit=25`);
  expect(paystubs).toHaveLength(52);
  expect(paystubs[0]!.paystub_date > paystubs.at(-1)!.paystub_date).toBe(true);
  const documents = await readAll<{ id: string }>(`/v2/payroll-documents?account=${accountId}&limit=200`);
  const documentIds = new Set(documents.map((document) => document.id));
  expect(paystubs.every((paystub) => documentIds.has(paystub.payroll_document))).toBe(true);
  const destinations = await readAll<{ ach_deposit_account: { account_number: string } }>(
    `/v2/deposit-destinations?account=${accountId}`,
  );
  const accountNumbers = destinations.map((destination) =>
    destination.ach_deposit_account.account_number.slice(-4),
  );
  for (const destination of paystubs[0]!.destinations) {
    expect(accountNumbers).toContain(destination.ach_deposit_account!.account_number.slice(-4));
  }

  // 4. The payroll site logs the user out: the data stays readable, refresh pauses.
  await harness.scenario('argyle.auth_required', { target: accountId });
  const broken = await receive();
  expect(broken.map((webhook) => webhook.json.event)).toEqual(['accounts.updated']);
  await harness.admin('POST', '/clock', { advance_ms: 2 * WEEK_MS });
  expect(await receive()).toEqual([]);
  const whileBroken = await readAll<Paystub>(`/v2/paystubs?account=${accountId}&limit=200`);
  expect(whileBroken.map((paystub) => paystub.id)).toEqual(paystubs.map((paystub) => paystub.id));

  // 5. Reconnect in one click (fresh user token, Link with the account id, Reconnect, MFA).
  const token = await harness.api<{ user_token: string }>('POST', '/v2/user-tokens', { user: userId });
  const userToken = token.body.user_token;
  const reconnect = await harness.link('/link/reconnect', { user_token: userToken, account_id: accountId });
  await harness.link('/link/mfa', {
    user_token: userToken,
    challenge: inputValue(reconnect.html, 'challenge'),
    code: '8082',
  });
  const reconnected = await receive();
  expect(reconnected.map((webhook) => webhook.json.event)).toEqual([
    'accounts.updated',
    'accounts.connected',
    'accounts.updated',
  ]);
  // Refresh resumes: the pay date missed while broken comes in with the next request.
  await harness.api('GET', `/v2/accounts/${accountId}`);
  const caughtUp = await receive();
  expect(caughtUp.map((webhook) => webhook.json.event)).toEqual(['paystubs.added', 'accounts.updated']);

  // 6. One more pay period on the clock: the next paystub arrives (paystubs.added + accounts.updated).
  await harness.admin('POST', '/clock', { advance_ms: 2 * WEEK_MS });
  const refreshed = await receive();
  expect(refreshed.map((webhook) => webhook.json.event)).toEqual(['paystubs.added', 'accounts.updated']);
  const newest = (await harness.api<Page<Paystub>>('GET', `/v2/paystubs?account=${accountId}&limit=1`)).body
    .results[0]!;
  expect(newest.id).toBe(refreshed[0]!.json.data.paystub);
  expect((refreshed[0]!.json.data.resource as Paystub).id).toBe(newest.id);
  const account = await harness.api<{ availability: { paystubs: { available_count: number } } }>(
    'GET',
    `/v2/accounts/${accountId}`,
  );
  expect(account.body.availability.paystubs.available_count).toBe(54);

  // 7. The user revokes access in Link: accounts.removed, and the data is gone.
  // (a fresh user token: the one from the reconnect expired with the clock)
  const later = await harness.api<{ user_token: string }>('POST', '/v2/user-tokens', { user: userId });
  const revoked = await harness.link('/link/revoke', {
    user_token: later.body.user_token,
    account_id: accountId,
  });
  expect(revoked.html).toContain('Access revoked');
  expect((await receive()).map((webhook) => webhook.json.event)).toEqual(['accounts.removed']);
  expect((await harness.api('GET', `/v2/accounts/${accountId}`)).status).toBe(404);
  expect((await harness.api('GET', `/v2/paystubs/${newest.id}`)).status).toBe(404);
  for (const path of ['identities', 'employments', 'paystubs', 'payroll-documents', 'deposit-destinations']) {
    expect(await readAll(`/v2/${path}?user=${userId}`), path).toEqual([]);
  }
});

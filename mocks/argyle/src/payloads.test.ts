import { afterAll, expect, test } from 'vitest';
import {
  type ArgyleHarness,
  createUser,
  elementText,
  SCHEMA_NAMES,
  startHarness,
  validate,
  validated,
} from './argyle.test-helpers.js';

const harness: ArgyleHarness = await startHarness();
afterAll(() => harness.close());

// The harness validates every API response and every received webhook against the fixture schemas
// (z.fromJSONSchema); this test drives each kind of payload once and proves that each schema was used.
test('every kind of payload the mock sends validates against its schema', async () => {
  await harness.api('POST', '/v2/webhooks', {
    name: 'explicit',
    url: `${harness.receiverUrl}/explicit`,
    events: [
      'accounts.added',
      'accounts.connected',
      'accounts.updated',
      'accounts.failed',
      'paystubs.added',
      'identities.added',
      'users.fully_synced',
    ],
    secret: 's',
    config: { include_resource: true },
  });
  await harness.api('POST', '/v2/webhooks', {
    name: 'star',
    url: `${harness.receiverUrl}/star`,
    events: ['*'],
  });
  const seeded = await harness.scenario<{ account_id: string; user_id: string }>('argyle.seed_connected');
  // A gig account of the same user: gigs, shifts, vehicles and ratings.
  const gig = await harness.scenario<{ account_id: string }>('argyle.seed_connected', {
    username: 'test_1',
    item: 'item_000000427',
  });
  await harness.api('GET', '/v2/users');
  await harness.api('GET', `/v2/users/${seeded.user_id}`);
  await harness.api('PATCH', `/v2/users/${seeded.user_id}`, { external_id: 'app-user-1' });
  await harness.api('POST', '/v2/user-tokens', { user: seeded.user_id });
  await harness.api('GET', '/v2/accounts');
  await harness.api('GET', `/v2/accounts/${seeded.account_id}`);
  await harness.api('POST', `/v2/accounts/${seeded.account_id}/periodic-scan`);
  for (const path of [
    'identities',
    'employments',
    'paystubs',
    'payroll-documents',
    'deposit-destinations',
    'gigs',
    'shifts',
    'vehicles',
    'ratings',
  ]) {
    const list = await harness.api<{ results: { id: string }[] }>(
      'GET',
      `/v2/${path}?account=${gig.account_id}`,
    );
    const all = await harness.api<{ results: { id: string }[] }>('GET', `/v2/${path}?user=${seeded.user_id}`);
    const first = list.body.results[0] ?? all.body.results[0];
    expect(first, path).toBeDefined();
    await harness.api('GET', `/v2/${path}/${first!.id}`);
  }
  const documents = await harness.api<{ results: { id: string }[] }>(
    'GET',
    `/v2/payroll-documents?account=${seeded.account_id}`,
  );
  await harness.api('GET', `/v2/payroll-documents/${documents.body.results[0]!.id}/file`);
  const upload = new FormData();
  upload.set('user', seeded.user_id);
  upload.set('document_type', 'paystubs');
  upload.set('upload', new Blob(['%PDF-1.4\n'], { type: 'application/pdf' }), 'paystub.pdf');
  const uploaded = await harness.api<{ id: string }>('POST', '/v2/user-uploads', undefined, { body: upload });
  await harness.api('GET', '/v2/user-uploads');
  await harness.api('GET', `/v2/user-uploads/${uploaded.body.id}`);
  const { userToken } = await createUser(harness);
  const form = await harness.link('/link/user-form', { user_token: userToken, income_source: 'Corner Shop' });
  await harness.api('GET', '/v2/user-forms');
  await harness.api('GET', `/v2/user-forms/${elementText(form.html, 'user-form-id')}`);
  await harness.api('GET', '/v2/items?q=wal');
  await harness.api('GET', '/v2/items/item_000029932');
  await harness.api('GET', '/v2/employer-search?q=lyft');
  const report = await harness.api<{ id: string }>('POST', '/v2/reports/voie', { user: seeded.user_id });
  await harness.api('GET', '/v2/reports');
  await harness.api('GET', `/v2/reports/${report.body.id}`);
  const verification = await harness.api<{ id: string }>('POST', '/v2/verifications', {
    user: seeded.user_id,
    report: { type: 'voie' },
  });
  await harness.api('POST', '/v2/sessions', { verification: verification.body.id });
  await harness.api('GET', '/v2/verifications');
  await harness.api('GET', `/v2/verifications/${verification.body.id}`);
  await harness.api('POST', `/v2/accounts/${gig.account_id}/disable-ongoing-refresh`);
  const invite = await harness.api<{ id: string }>('POST', '/v2/invites', {
    first_name: 'A',
    last_name: 'B',
    phone_number: '+15550100',
  });
  await harness.api('GET', '/v2/invites');
  await harness.api('GET', `/v2/invites/${invite.body.id}`);
  await harness.api('POST', `/v2/invites/${invite.body.id}`);
  await harness.api('POST', `/v2/invites/${invite.body.id}/revoke`);
  const webhooks = await harness.api<{ results: { id: string }[] }>('GET', '/v2/webhooks');
  await harness.api('GET', `/v2/webhooks/${webhooks.body.results[0]!.id}`);
  await harness.api('GET', '/v2/accounts/nope');
  await harness.api('POST', '/v2/users', { email: 'x' });
  await harness.scenario('argyle.mfa_timeout', { target: seeded.account_id });
  await harness.scenario('argyle.user_revoked', { target: seeded.account_id });
  const received = await harness.takeWebhooks();
  expect(new Set(received.map((webhook) => webhook.json.event))).toEqual(
    new Set([
      'accounts.added',
      'accounts.connected',
      'accounts.updated',
      'accounts.failed',
      'accounts.removed',
      'identities.added',
      'paystubs.added',
      'paystubs.updated',
      'payroll_documents.added',
      'paystubs.partially_synced',
      'paystubs.fully_synced',
      'gigs.partially_synced',
      'gigs.fully_synced',
      'shifts.partially_synced',
      'shifts.fully_synced',
      'users.fully_synced',
    ]),
  );
  for (const name of SCHEMA_NAMES) expect(validated.get(name) ?? 0, name).toBeGreaterThan(0);
});

test('the validators are strict enough to catch a broken payload', () => {
  expect(() => validate('account', { id: 'a' }, 'test')).toThrow(/does not match account/);
  expect(() =>
    validate(
      'webhookAccounts',
      { event: 'accounts.gone', name: 'x', data: { account: 'a', user: 'u' } },
      'test',
    ),
  ).toThrow(/event/);
  expect(() => validate('error', { detail: 'x', extra: 1 }, 'test')).toThrow();
});

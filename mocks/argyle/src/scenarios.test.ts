import { readFileSync } from 'node:fs';
import { assertScenarioCatalogue } from '@reconnect-kit/mock-engine';
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { type ArgyleHarness, startHarness } from './argyle.test-helpers.js';
import { argyleMock } from './index.js';

const harness: ArgyleHarness = await startHarness();
afterAll(() => harness.close());
beforeEach(() => harness.reset());

interface CatalogueEntry {
  id: string;
  description: string;
  input: Record<string, unknown>;
  vendor_signal: string;
  expected_state: string;
  expected_events: string[];
  user_fix: string;
}

const catalogue = JSON.parse(
  readFileSync(new URL('../../../fixtures/scenarios/argyle.json', import.meta.url), 'utf8'),
) as { provider: string; scenarios: CatalogueEntry[] };
const entry = (id: string) => catalogue.scenarios.find((scenario) => scenario.id === id)!;

// The canonical states as the shared catalogue schema lists them (mocks share only fixtures with the kit).
const CANONICAL_STATES: string[] = JSON.parse(
  readFileSync(new URL('../../../fixtures/scenarios/catalogue.schema.json', import.meta.url), 'utf8'),
).properties.scenarios.items.properties.expected_state.enum;

interface Account {
  connection: { status: string; error_code: string | null };
  availability: Record<string, { status: string } | null>;
}

interface RunResult {
  scenario: string;
  changed: Record<string, unknown>;
  webhooks: { id: string; eventType: string; url?: string }[];
}

async function seed(): Promise<{ account_id: string; user_id: string }> {
  const seeded = await harness.scenario<{ account_id: string; user_id: string }>('argyle.seed_connected');
  await harness.takeWebhooks();
  return seeded;
}

describe('scenario catalogue', () => {
  test('every implemented scenario is catalogued and vice versa', () => {
    expect(catalogue.provider).toBe('argyle');
    expect(() => assertScenarioCatalogue(argyleMock)).not.toThrow();
  });

  test('every entry has the required fields and a canonical expected_state', () => {
    for (const scenario of catalogue.scenarios) {
      expect(Object.keys(scenario).sort(), scenario.id).toEqual(
        [
          'description',
          'expected_events',
          'expected_state',
          'id',
          'input',
          'user_fix',
          'vendor_signal',
        ].sort(),
      );
      expect(CANONICAL_STATES, scenario.id).toContain(scenario.expected_state);
    }
  });
});

describe('scenarios', () => {
  test('argyle.seed_connected creates a user with a healthy account and returns ids and a user token', async () => {
    const result = await harness.admin<RunResult>('POST', '/scenarios/argyle.seed_connected', {
      username: 'test_2',
      item: 'item_000001543',
    });
    const { user_id, account_id, user_token } = result.body.changed as Record<string, string>;
    expect(user_token).toMatch(/^ey/);
    const account = await harness.api<Account & { user: string; item: string }>(
      'GET',
      `/v2/accounts/${account_id}`,
    );
    expect(account.body).toMatchObject({
      user: user_id,
      item: 'item_000001543',
      connection: { status: 'connected' },
    });
    expect(result.body.webhooks.map((webhook) => webhook.eventType)).toEqual(
      entry('argyle.seed_connected').expected_events,
    );
    const delivered = await harness.takeWebhooks('/default');
    expect(delivered.map((webhook) => webhook.json.event)).toEqual(
      entry('argyle.seed_connected').expected_events,
    );
  });

  const vendorState: Record<string, (account: Account | undefined) => void> = {
    'argyle.auth_required': (account) =>
      expect(account!.connection).toMatchObject({ status: 'error', error_code: 'auth_required' }),
    'argyle.expired_credentials': (account) =>
      expect(account!.connection).toMatchObject({ status: 'error', error_code: 'expired_credentials' }),
    'argyle.mfa_timeout': (account) =>
      expect(account!.connection).toMatchObject({ status: 'error', error_code: 'mfa_timeout' }),
    'argyle.system_error': (account) => {
      expect(account!.connection).toMatchObject({ status: 'error', error_code: 'system_error' });
      const sets = Object.values(account!.availability).filter((set) => set !== null);
      expect(sets.length).toBeGreaterThan(0);
      expect(sets.every((set) => set!.status === 'sync_failed')).toBe(true);
    },
    'argyle.user_revoked': (account) => expect(account).toBeUndefined(),
    'argyle.account_deleted': (account) => expect(account).toBeUndefined(),
  };

  for (const [id, check] of Object.entries(vendorState)) {
    test(`${id} changes the target as documented and sends exactly ${entry(id).expected_events.join(' + ')}`, async () => {
      const seeded = await seed();
      const result = await harness.admin<RunResult>('POST', `/scenarios/${id}`, {
        target: seeded.account_id,
      });
      expect(result.status).toBe(200);
      expect(result.body.webhooks.map((webhook) => webhook.eventType)).toEqual(entry(id).expected_events);
      const delivered = await harness.takeWebhooks('/default');
      expect(delivered.map((webhook) => webhook.json.event)).toEqual(entry(id).expected_events);
      expect(delivered.every((webhook) => webhook.json.data.account === seeded.account_id)).toBe(true);
      const read = await harness.api<Account>('GET', `/v2/accounts/${seeded.account_id}`);
      check(read.status === 200 ? read.body : undefined);
    });
  }

  test('argyle.invalid_credentials_on_reconnect sends nothing now and fails the next reconnect', async () => {
    const seeded = await seed();
    await harness.scenario('argyle.auth_required', { target: seeded.account_id });
    await harness.takeWebhooks();
    const result = await harness.admin<RunResult>(
      'POST',
      '/scenarios/argyle.invalid_credentials_on_reconnect',
      {
        target: seeded.account_id,
      },
    );
    expect(result.body.webhooks).toEqual([]);
    const account = await harness.api<Account>('GET', `/v2/accounts/${seeded.account_id}`);
    expect(account.body.connection.error_code).toBe('auth_required');
    // The reconnect itself is driven through Link in link.test.ts; here, its events match the catalogue.
    const { body } = await harness.api<{ user_token: string }>('POST', '/v2/user-tokens', {
      user: seeded.user_id,
    });
    await harness.link('/link/reconnect', { user_token: body.user_token, account_id: seeded.account_id });
    const delivered = await harness.takeWebhooks('/default');
    expect(delivered.map((webhook) => webhook.json.event)).toEqual(
      entry('argyle.invalid_credentials_on_reconnect').expected_events,
    );
  });

  test('an unknown target is a 404 target_not_found and changes nothing', async () => {
    const seeded = await seed();
    for (const id of Object.keys(vendorState)) {
      const result = await harness.admin<{ error: string }>('POST', `/scenarios/${id}`, {
        target: 'missing',
      });
      expect(result.status).toBe(404);
      expect(result.body.error).toBe('target_not_found');
    }
    const account = await harness.api<Account>('GET', `/v2/accounts/${seeded.account_id}`);
    expect(account.body.connection.status).toBe('connected');
    expect(await harness.takeWebhooks()).toEqual([]);
  });

  test('a response-form or document upload account has no login to break: 400 target_has_no_login', async () => {
    const user = await harness.api<{ id: string; user_token: string }>('POST', '/v2/users', {});
    const form = await harness.link('/link/user-form', {
      user_token: user.body.user_token,
      income_source: 'Corner Shop',
    });
    const accountId = /id="account-id">([^<]+)</.exec(form.html)?.[1];
    await harness.takeWebhooks();
    for (const id of [
      'argyle.auth_required',
      'argyle.expired_credentials',
      'argyle.invalid_credentials_on_reconnect',
      'argyle.mfa_timeout',
      'argyle.system_error',
    ]) {
      const result = await harness.admin<{ error: string; message: string }>('POST', `/scenarios/${id}`, {
        target: accountId,
      });
      expect(result.status, id).toBe(400);
      expect(result.body.error).toBe('target_has_no_login');
      expect(result.body.message).toContain('response form');
    }
    const account = await harness.api<Account>('GET', `/v2/accounts/${accountId}`);
    expect(account.body.connection.status).toBe('connected');
    expect(await harness.takeWebhooks()).toEqual([]);
  });

  test('unknown input fields and bad seed input are rejected with 400', async () => {
    const seeded = await seed();
    const extra = await harness.admin('POST', '/scenarios/argyle.auth_required', {
      target: seeded.account_id,
      surprise: true,
    });
    expect(extra.status).toBe(400);
    const badSeed = await harness.admin('POST', '/scenarios/argyle.seed_connected', { username: 'test_9' });
    expect(badSeed.status).toBe(400);
    const users = await harness.api<{ results: unknown[] }>('GET', '/v2/users');
    expect(users.body.results).toHaveLength(1);
  });
});

/**
 * Demo-only plumbing: the mocks' admin API (trigger a vendor scenario, wait for its webhooks) and the seed data
 * `pnpm dev` starts with. A production host app has none of this.
 */
import type { ReconnectionService } from '@reconnect-kit/core';
import { HOST_METADATA } from './connect-again.js';

export type DemoProvider = 'argyle' | 'finch' | 'plaid';

export interface DemoScenario {
  readonly id: string;
  /** What happens at the vendor, in plain words (the button label). */
  readonly label: string;
}

/** The mock scenarios the dashboard offers per provider (ids from `fixtures/scenarios/<provider>.json`). */
export const DEMO_SCENARIOS: Readonly<Record<DemoProvider, readonly DemoScenario[]>> = {
  argyle: [
    { id: 'argyle.auth_required', label: 'Payroll site signs the user out' },
    { id: 'argyle.expired_credentials', label: 'Password expires' },
    { id: 'argyle.mfa_timeout', label: 'MFA step times out' },
    { id: 'argyle.system_error', label: 'Argyle system error' },
    { id: 'argyle.invalid_credentials_on_reconnect', label: 'Next reconnect fails: wrong password' },
    { id: 'argyle.user_revoked', label: 'User revokes access' },
  ],
  finch: [
    { id: 'finch.reauth', label: 'Employer must sign in again' },
    { id: 'finch.permissions_lost', label: 'Payroll permissions removed' },
    { id: 'finch.reauth_different_company', label: 'Next sign-in reaches another company' },
    { id: 'finch.disconnected', label: 'Employer disconnects Finch' },
  ],
  plaid: [
    { id: 'plaid.item_login_required', label: 'Bank needs the user to sign in again' },
    { id: 'plaid.item_locked', label: 'Bank locks the account' },
    { id: 'plaid.login_repaired', label: 'User fixes the login in another app' },
    { id: 'plaid.pending_expiration', label: 'Consent expires in 7 days' },
    { id: 'plaid.institution_down', label: 'Bank is down (no webhook: next data call)' },
    { id: 'plaid.user_permission_revoked', label: 'User revokes access' },
  ],
};

export function demoScenariosFor(provider: string): readonly DemoScenario[] {
  return Object.hasOwn(DEMO_SCENARIOS, provider) ? DEMO_SCENARIOS[provider as DemoProvider] : [];
}

export function findDemoScenario(provider: string, scenarioId: string): DemoScenario | undefined {
  return demoScenariosFor(provider).find((scenario) => scenario.id === scenarioId);
}

/** A mock's `/__admin` API over HTTP. */
export class MockAdmin {
  constructor(readonly url: string) {}

  /** Runs a scenario; returns the mock's `changed` object. */
  async scenario(id: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const body = await this.#call('POST', `/scenarios/${encodeURIComponent(id)}`, input);
    return (body.changed ?? {}) as Record<string, unknown>;
  }

  /** Waits until every queued webhook was delivered (the host answered) or gave up. */
  async flushWebhooks(): Promise<void> {
    // `limit=0`: the mock's delivery log grows with every click; only the wait matters here.
    await this.#call('POST', '/webhooks/flush?timeout_ms=10000&limit=0');
  }

  async #call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${this.url}/__admin${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (!response.ok) {
      const message = typeof json.message === 'string' ? json.message : `HTTP ${response.status}`;
      throw new Error(`mock admin ${method} ${path}: ${message}`);
    }
    return json;
  }
}

/** The demo's end users (the host's own user directory). */
export const DEMO_USERS: Readonly<Record<string, string>> = {
  alice: 'Alice Martin',
  bob: 'Bob Nguyen',
  carol: 'Carol Diaz (Acme Corp payroll admin)',
  dave: 'Dave Okafor',
  erin: 'Erin Walsh (Globex payroll admin)',
  frank: 'Frank Osei',
};

export interface SeededConnections {
  /** Argyle, `auth_required`: one-click Reconnect. */
  readonly argyleOneClick: string;
  /** Argyle, `expired_credentials`: the user logs in again. */
  readonly argyleCredentials: string;
  /** Finch, `reauth`: Connect re-authentication session. */
  readonly finchReauth: string;
  /** Argyle, healthy. */
  readonly argyleHealthy: string;
  /** Finch, healthy. */
  readonly finchHealthy: string;
  /** Plaid, `ITEM_LOGIN_REQUIRED`: update mode on hosted Link. */
  readonly plaidLoginRequired: string;
  /** Plaid, healthy. */
  readonly plaidHealthy: string;
}

const str = (value: unknown, field: string): string => {
  if (typeof value !== 'string') throw new Error(`the mock's seed result has no ${field}`);
  return value;
};

async function seedArgyle(
  service: ReconnectionService,
  argyle: MockAdmin,
  hostUserId: string,
  username: string,
  item: string,
): Promise<string> {
  const seeded = await argyle.scenario('argyle.seed_connected', { username, item });
  const employer = (seeded.account as { employers?: unknown } | undefined)?.employers;
  const connection = await service.registerConnection({
    provider: 'argyle',
    hostUserId,
    upstreamId: str(seeded.account_id, 'account_id'),
    upstreamParentId: str(seeded.user_id, 'user_id'),
    state: 'connected',
    vendor: { status: 'connected' },
    metadata: {
      [HOST_METADATA.employer]:
        Array.isArray(employer) && typeof employer[0] === 'string' ? employer[0] : 'Payroll account',
      [HOST_METADATA.argyleItem]: item,
    },
  });
  return connection.id;
}

async function seedFinch(
  service: ReconnectionService,
  finch: MockAdmin,
  hostUserId: string,
  providerId: string,
  customerName: string,
): Promise<string> {
  const seeded = await finch.scenario('finch.seed_connected', {
    provider_id: providerId,
    employee_size: 12,
    customer_id: hostUserId,
    customer_name: customerName,
  });
  const connection = await service.registerConnection({
    provider: 'finch',
    hostUserId,
    upstreamId: str(seeded.connection_id, 'connection_id'),
    upstreamParentId: str(seeded.company_id, 'company_id'),
    state: 'connected',
    vendor: { status: 'connected' },
    metadata: { employer: customerName, payroll_provider: providerId },
    secrets: { access_token: str(seeded.access_token, 'access_token') },
  });
  return connection.id;
}

/** A Sandbox Item at First Platypus Bank whose webhooks go to the host (Plaid keeps a webhook URL per Item). */
async function seedPlaid(
  service: ReconnectionService,
  plaid: MockAdmin,
  hostUserId: string,
  webhookUrl: string,
): Promise<string> {
  const seeded = await plaid.scenario('plaid.seed_connected', { webhook: webhookUrl });
  const connection = await service.registerConnection({
    provider: 'plaid',
    hostUserId,
    upstreamId: str(seeded.item_id, 'item_id'),
    state: 'connected',
    vendor: { status: 'ITEM' },
    metadata: { employer: 'First Platypus Bank' },
    secrets: { access_token: str(seeded.access_token, 'access_token') },
  });
  return connection.id;
}

/**
 * Seeds seven connections and breaks four of them through the mocks, so the dashboard opens on every reconnect
 * path: the breaks arrive as signed webhooks, exactly as they would from the vendors.
 */
export async function seedDemo(
  service: ReconnectionService,
  mocks: { readonly argyle: MockAdmin; readonly finch: MockAdmin; readonly plaid: MockAdmin },
  plaidWebhookUrl: string,
): Promise<SeededConnections> {
  const seeded: SeededConnections = {
    argyleOneClick: await seedArgyle(service, mocks.argyle, 'alice', 'test_1', 'item_000029932'),
    argyleCredentials: await seedArgyle(service, mocks.argyle, 'bob', 'test_2', 'item_000002102'),
    finchReauth: await seedFinch(service, mocks.finch, 'carol', 'gusto', 'Acme Corp'),
    argyleHealthy: await seedArgyle(service, mocks.argyle, 'dave', 'test_3', 'item_000001543'),
    finchHealthy: await seedFinch(service, mocks.finch, 'erin', 'justworks', 'Globex'),
    plaidLoginRequired: await seedPlaid(service, mocks.plaid, 'frank', plaidWebhookUrl),
    plaidHealthy: await seedPlaid(service, mocks.plaid, 'dave', plaidWebhookUrl),
  };
  // The seeds' own webhooks (accounts.added/connected) are already reflected by the registrations.
  await Promise.all([mocks.argyle.flushWebhooks(), mocks.finch.flushWebhooks()]);
  const upstream = async (id: string) => (await service.getConnection(id)).upstreamId;
  await mocks.argyle.scenario('argyle.auth_required', { target: await upstream(seeded.argyleOneClick) });
  await mocks.argyle.scenario('argyle.expired_credentials', {
    target: await upstream(seeded.argyleCredentials),
  });
  await mocks.finch.scenario('finch.reauth', { target: await upstream(seeded.finchReauth) });
  await mocks.plaid.scenario('plaid.item_login_required', {
    target: await upstream(seeded.plaidLoginRequired),
  });
  await Promise.all([mocks.argyle.flushWebhooks(), mocks.finch.flushWebhooks(), mocks.plaid.flushWebhooks()]);
  while ((await service.deliverOutbox()) > 0) {
    // drain, so the page opens with every event in the history
  }
  return seeded;
}

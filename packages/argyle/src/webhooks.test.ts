import { createHash } from 'node:crypto';
import { isReconnectKitError, type ReconnectKitError } from '@reconnect-kit/core';
import { container } from 'tsyringe';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ArgyleAccountsWebhook } from './generated/webhook-accounts.js';
import { ArgyleProvider } from './provider.js';
import { registerArgyle } from './register.js';
import { loadPayload, loadVectors, signedBody, signedWebhook } from './test-kit.test-helpers.js';

const SECRET = 'current-webhook-secret';
const RECEIVED = new Date('2026-03-01T12:00:00.000Z');
const ACCOUNT = '019c0b39-0b68-fb0c-4c2e-9d1a7f3b5e02';
const USER = '019c0b38-9f21-5c6e-7a10-3b4d2e6f8a01';

function argyleWith(webhookSecret: string | string[]): ArgyleProvider {
  const child = container.createChildContainer();
  registerArgyle(child, {
    apiKeyId: 'k',
    apiKeySecret: 's',
    environment: 'sandbox',
    webhookSecret,
    linkUrl: 'https://link.example.com/argyle',
  });
  return child.resolve(ArgyleProvider);
}

let provider: ArgyleProvider;
beforeEach(() => {
  provider = argyleWith(['previous-webhook-secret', SECRET]);
});

function ingestRaw(body: string, secret = SECRET) {
  const { rawBody, headers } = signedBody(body, secret);
  return provider.parseWebhook(provider.verifyWebhook(rawBody, headers, RECEIVED));
}
const ingest = (payload: unknown, secret = SECRET) => ingestRaw(JSON.stringify(payload, null, 2), secret);
const webhook = (name: string) => loadPayload<ArgyleAccountsWebhook>(name);

function thrown(fn: () => unknown): ReconnectKitError | undefined {
  try {
    fn();
  } catch (error) {
    if (isReconnectKitError(error)) return error;
    throw error;
  }
  return undefined;
}

describe('verifyWebhook', () => {
  it.each(loadVectors())('vector: $description', (vector) => {
    const verifier = argyleWith(vector.secret);
    const headers = new Headers({ 'X-Argyle-Signature': vector.signature });
    const run = () => verifier.verifyWebhook(new TextEncoder().encode(vector.body), headers, RECEIVED);
    if (vector.valid) expect(run().body).toEqual(JSON.parse(vector.body));
    else expect(thrown(run)?.code).toBe('webhook_signature_invalid');
  });

  it('accepts the previous secret during a rotation, and not a foreign one', () => {
    expect(ingest(webhook('webhook-accounts.removed.json'), 'previous-webhook-secret')).toHaveLength(1);
    expect(thrown(() => ingest(webhook('webhook-accounts.removed.json'), 'attacker-secret'))?.code).toBe(
      'webhook_signature_invalid',
    );
  });

  it('rejects a missing signature header without echoing any secret', () => {
    const { rawBody } = signedWebhook(webhook('webhook-accounts.removed.json'), SECRET);
    const error = thrown(() => provider.verifyWebhook(rawBody, new Headers(), RECEIVED));
    expect(error?.code).toBe('webhook_signature_invalid');
    expect(`${error?.message} ${JSON.stringify(error)}`).not.toContain(SECRET);
  });

  it('a correctly signed body that is not JSON is webhook_payload_invalid', () => {
    const { rawBody, headers } = signedBody('not json', SECRET);
    expect(thrown(() => provider.verifyWebhook(rawBody, headers, RECEIVED))?.code).toBe(
      'webhook_payload_invalid',
    );
  });
});

describe('parseWebhook', () => {
  it.each([
    ['webhook-accounts.added.json', 'accounts.added', 'pending', undefined],
    ['webhook-accounts.connected.json', 'accounts.connected', 'connected', undefined],
    ['webhook-accounts.updated.connected.json', 'accounts.updated', 'connected', undefined],
    ['webhook-accounts.updated.auth_required.json', 'accounts.updated', 'needs_reauth', 'one_click'],
    [
      'webhook-accounts.updated.expired_credentials.json',
      'accounts.updated',
      'needs_credentials',
      'reenter_credentials',
    ],
    ['webhook-accounts.failed.json', 'accounts.failed', 'needs_credentials', 'reenter_credentials'],
    ['webhook-accounts.removed.json', 'accounts.removed', 'revoked', 'new_connection'],
  ])('%s → %s signal %s', (file, vendorType, state, fix) => {
    const [event, ...rest] = ingest(webhook(file));
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      provider: 'argyle',
      vendorType,
      upstreamId: ACCOUNT,
      upstreamParentId: USER,
    });
    expect(event?.signal?.state).toBe(state);
    expect(event?.signal?.problem?.fix).toBe(fix);
  });

  it('keeps the raw vendor status and code beside the canonical state', () => {
    const [event] = ingest(webhook('webhook-accounts.updated.auth_required.json'));
    expect(event?.signal?.vendor).toMatchObject({ status: 'error', code: 'auth_required' });
    expect(event?.signal?.problem?.reason).toMatch(/signed you out/);
  });

  it('occurredAt is the resource updated_at (microseconds tolerated), else the receipt time', () => {
    const [withResource] = ingest(webhook('webhook-accounts.updated.auth_required.json'));
    expect(withResource?.occurredAt.toISOString()).toBe('2026-02-12T08:00:00.000Z');
    const [removed] = ingest(webhook('webhook-accounts.removed.json'));
    expect(removed?.occurredAt).toEqual(RECEIVED);
  });

  it('accounts.updated without resource: recorded without a signal, and core is asked to confirm with a status read', () => {
    const [event] = ingest(webhook('webhook-accounts.updated.no_resource.json'));
    expect(event).toMatchObject({
      vendorType: 'accounts.updated',
      upstreamId: ACCOUNT,
      confirm: 'status_check',
    });
    expect(event?.signal).toBeUndefined();
    // With a resource the update carries its own state and time: no confirmation.
    expect(ingest(webhook('webhook-accounts.updated.auth_required.json'))[0]?.confirm).toBeUndefined();
  });

  it('accounts.connected without resource still means connected; legacy accounts.failed codes are honoured', () => {
    const connected = { ...webhook('webhook-accounts.connected.json') };
    connected.data = { account: ACCOUNT, user: USER };
    expect(ingest(connected)[0]?.signal?.state).toBe('connected');
    const failed = {
      event: 'accounts.failed',
      name: 'x',
      data: { account: ACCOUNT, user: USER, error_code: 'mfa_timeout', error_message: 'MFA timed out' },
    };
    expect(ingest(failed)[0]?.signal).toMatchObject({
      state: 'needs_reauth',
      vendor: { code: 'mfa_timeout' },
    });
  });

  it('other Argyle events: an account event without signal, nothing for user-level events', () => {
    const paystubs = {
      event: 'paystubs.added',
      name: 'x',
      data: { account: ACCOUNT, user: USER, paystub: 'p1' },
    };
    expect(ingest(paystubs)).toEqual([
      expect.objectContaining({ vendorType: 'paystubs.added', signal: undefined }),
    ]);
    expect(ingest({ event: 'users.fully_synced', name: 'x', data: { user: USER } })).toEqual([]);
  });

  it('validates only the account fields it reads: others may be missing or changed', () => {
    const base = webhook('webhook-accounts.updated.auth_required.json');
    const { employers: _employers, scanned_at: _scanned, ...rest } = base.data.resource!;
    const drifted = { ...base, data: { ...base.data, resource: { ...rest, availability: 'a new shape' } } };
    expect(ingest(drifted)[0]?.signal?.state).toBe('needs_reauth');
    const noUpdatedAt = { ...base, data: { ...base.data, resource: { ...rest, updated_at: undefined } } };
    expect(thrown(() => ingest(noUpdatedAt))?.message).toContain('data.resource.updated_at');
  });

  it('rejects an accounts.* payload that breaks the schema, naming the field', () => {
    const broken = webhook('webhook-accounts.updated.auth_required.json');
    const bad = {
      ...broken,
      data: { ...broken.data, resource: { ...broken.data.resource!, connection: { status: 'gone' } } },
    };
    const error = thrown(() => ingest(bad));
    expect(error?.code).toBe('webhook_payload_invalid');
    expect(error?.message).toContain('data.resource.connection');
    expect(thrown(() => ingest({ name: 'no event' }))?.code).toBe('webhook_payload_invalid');
  });

  it('rejects a malformed envelope on both paths: accounts.* without an account, other events with an empty one', () => {
    const noAccount = thrown(() => ingest({ event: 'accounts.updated', name: 'x', data: { user: USER } }));
    expect(noAccount?.code).toBe('webhook_payload_invalid');
    expect(noAccount?.message).toContain('data.account');
    const emptyAccount = thrown(() => ingest({ event: 'paystubs.added', data: { account: '', user: USER } }));
    expect(emptyAccount?.code).toBe('webhook_payload_invalid');
    expect(emptyAccount?.message).toContain('data.account');
    expect(thrown(() => ingest({ event: 42, data: { account: ACCOUNT } }))?.code).toBe(
      'webhook_payload_invalid',
    );
  });

  describe('dedupe key', () => {
    it('is the same for a redelivery of the same bytes, across provider instances', () => {
      const body = JSON.stringify(webhook('webhook-accounts.updated.auth_required.json'), null, 2);
      const first = ingestRaw(body)[0]?.eventId;
      provider = argyleWith(SECRET);
      expect(ingestRaw(body)[0]?.eventId).toBe(first);
      const digest = createHash('sha256').update(body).digest('hex');
      // 2026-02-12T08:00:00.000274Z, the resource's updated_at, as epoch ms in hex.
      const time = Date.parse('2026-02-12T08:00:00.000Z').toString(16).padStart(12, '0');
      expect(first).toBe(`argyle_${time}_${digest}`);
    });

    it('sorts by the account update time; without a resource it is the body digest alone', () => {
      const a = webhook('webhook-accounts.updated.auth_required.json');
      const later = (updatedAt: string) => ({
        ...a,
        data: { ...a.data, resource: { ...a.data.resource!, updated_at: updatedAt } },
      });
      const ids = ['2026-02-12T08:00:09.000Z', '2026-02-12T08:00:10.000Z', '2026-03-01T00:00:00.000Z'].map(
        (at) => ingest(later(at))[0]?.eventId ?? '',
      );
      expect([...ids].sort()).toEqual(ids);
      const bare = JSON.stringify({ event: 'paystubs.added', data: { account: ACCOUNT, user: USER } });
      expect(ingestRaw(bare)[0]?.eventId).toBe(`argyle_${createHash('sha256').update(bare).digest('hex')}`);
    });

    it('differs when anything changes (another update time, another event)', () => {
      const a = webhook('webhook-accounts.updated.auth_required.json');
      const b = {
        ...a,
        data: { ...a.data, resource: { ...a.data.resource!, updated_at: '2026-02-12T08:00:01.000000Z' } },
      };
      const ids = new Set([
        ingest(a)[0]?.eventId,
        ingest(b)[0]?.eventId,
        ingest(webhook('webhook-accounts.removed.json'))[0]?.eventId,
      ]);
      expect(ids.size).toBe(3);
    });
  });
});

import { createHmac } from 'node:crypto';
import { isReconnectKitError, type VerifiedWebhook } from '@reconnect-kit/core';
import { describe, expect, it } from 'vitest';
import { fixture, makeProvider, WEBHOOK_SECRET } from './finch.test-helpers.js';

interface Vector {
  description: string;
  secret: string;
  event_id: string;
  timestamp: string;
  body: string;
  signature: string;
  now: number;
  valid: boolean;
  error?: string;
}
const { vectors } = fixture<{ vectors: Vector[] }>('vectors/finch.json');

const bytes = (text: string) => new TextEncoder().encode(text);
const sign = (secret: string, id: string, ts: number, body: string) =>
  `v1,${createHmac('sha256', Buffer.from(secret, 'base64')).update(`${id}.${ts}.${body}`).digest('base64')}`;
const headersFor = (id: string, ts: number | string, signature: string) =>
  new Headers({ 'Finch-Event-Id': id, 'Finch-Timestamp': String(ts), 'Finch-Signature': signature });
const NOW = 1_795_000_000;
const ROTATED_SECRET = 'bUZ4dGJ3bXlyb3RhdGVkc2VjcmV0MjAyNjExMjM=';

function errorCodeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (isReconnectKitError(error)) return error.code;
    throw error;
  }
}

describe('verifyWebhook: signature vectors', () => {
  it.each(vectors.map((vector) => [vector.description, vector] as const))('%s', (_description, vector) => {
    const provider = makeProvider({ webhookSecret: vector.secret });
    const verify = () =>
      provider.verifyWebhook(
        bytes(vector.body),
        headersFor(vector.event_id, vector.timestamp, vector.signature),
        new Date(vector.now * 1000),
      );
    if (vector.valid) {
      const verified = verify();
      expect(verified.body).toEqual(JSON.parse(vector.body));
      expect(verified.vendorEventId).toBe(vector.event_id);
    } else {
      expect(errorCodeOf(verify)).toBe(vector.error);
    }
  });
});

describe('verifyWebhook', () => {
  const body = JSON.stringify(fixture('payloads/finch/webhook-event.account-updated-reauth.json'));

  it('accepts any of several configured secrets while rotating', () => {
    const provider = makeProvider({ webhookSecret: [WEBHOOK_SECRET, ROTATED_SECRET] });
    for (const secret of [WEBHOOK_SECRET, ROTATED_SECRET]) {
      const verified = provider.verifyWebhook(
        bytes(body),
        headersFor('msg_1', NOW, sign(secret, 'msg_1', NOW, body)),
        new Date(NOW * 1000),
      );
      expect(verified.provider).toBe('finch');
    }
    const other = 'b3RoZXItc2VjcmV0LXRoYXQtaXMtbm90LWNvbmZpZ3VyZWQ=';
    expect(
      errorCodeOf(() =>
        provider.verifyWebhook(
          bytes(body),
          headersFor('msg_1', NOW, sign(other, 'msg_1', NOW, body)),
          new Date(NOW * 1000),
        ),
      ),
    ).toBe('webhook_signature_invalid');
  });

  it.each(['Finch-Event-Id', 'Finch-Timestamp', 'Finch-Signature'])('names a missing %s header', (name) => {
    const headers = headersFor('msg_1', NOW, sign(WEBHOOK_SECRET, 'msg_1', NOW, body));
    headers.delete(name);
    expect(() => makeProvider().verifyWebhook(bytes(body), headers, new Date(NOW * 1000))).toThrow(
      new RegExp(`${name.toLowerCase()} header is missing`),
    );
  });

  it('verifies the exact bytes: a re-serialised body fails', () => {
    const spaced = JSON.stringify(JSON.parse(body), null, 2);
    const headers = headersFor('msg_1', NOW, sign(WEBHOOK_SECRET, 'msg_1', NOW, body));
    expect(
      errorCodeOf(() => makeProvider().verifyWebhook(bytes(spaced), headers, new Date(NOW * 1000))),
    ).toBe('webhook_signature_invalid');
  });

  it('rejects a correctly signed body that is not JSON', () => {
    const headers = headersFor('msg_1', NOW, sign(WEBHOOK_SECRET, 'msg_1', NOW, 'not json'));
    expect(
      errorCodeOf(() => makeProvider().verifyWebhook(bytes('not json'), headers, new Date(NOW * 1000))),
    ).toBe('webhook_payload_invalid');
  });
});

describe('parseWebhook', () => {
  const provider = makeProvider();
  const verified = (body: unknown, eventId = 'msg_2Lh9KRb0pzN4LePd3XiA4v12Axj'): VerifiedWebhook => ({
    provider: 'finch',
    rawBody: bytes(JSON.stringify(body)),
    headers: new Headers({ 'finch-event-id': eventId, 'finch-timestamp': String(NOW) }),
    body,
    vendorEventId: eventId,
    receivedAt: new Date((NOW + 2) * 1000),
  });

  it.each([
    ['account-updated-reauth', 'needs_reauth', 'reauth'],
    ['account-updated-connected', 'connected', 'connected'],
    ['account-updated-permissions', 'needs_credentials', 'error_permissions'],
  ])('account.updated (%s) → %s', (name, state, vendorStatus) => {
    const [event, ...rest] = provider.parseWebhook(
      verified(fixture(`payloads/finch/webhook-event.${name}.json`)),
    );
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      eventId: 'msg_2Lh9KRb0pzN4LePd3XiA4v12Axj',
      provider: 'finch',
      vendorType: 'account.updated',
      upstreamId: 'bc3a2af9-0a9b-4c1e-9a3b-3f6d2c1e8a01',
      upstreamParentId: '720be419-0293-4d32-a707-32179b0827ab',
      occurredAt: new Date(NOW * 1000),
      signal: { state, vendor: { status: vendorStatus } },
      // Finch-Timestamp is the delivery attempt's time, so the status is only a hint: core confirms it.
      confirm: 'status_check',
    });
  });

  describe('account.updated with an entity_id (signalFor, against the stored connection)', () => {
    const stored = (upstreamParentId: string | undefined) => ({
      id: 'conn_1',
      provider: 'finch',
      hostUserId: 'user',
      upstreamId: 'bc3a2af9-0a9b-4c1e-9a3b-3f6d2c1e8a01',
      upstreamParentId,
      metadata: {},
    });
    const entityReauth = fixture('payloads/finch/webhook-event.account-updated-entity-reauth.json');
    const parse = (body: unknown) => provider.parseWebhook(verified(body))[0]!;

    it('the entity is the connection’s own company (a single-entity connection): the connection’s status', () => {
      const event = parse(entityReauth);
      expect(event).toMatchObject({ part: entityReauth.entity_id, confirm: 'status_check' });
      expect(provider.signalFor(event, stored(entityReauth.company_id as string))?.state).toBe(
        'needs_reauth',
      );
      const disconnected = parse(fixture('payloads/finch/webhook-event.account-updated-disconnected.json'));
      expect(provider.signalFor(disconnected, stored(entityReauth.company_id as string))?.state).toBe(
        'revoked',
      );
    });

    it.each([
      ['another company', 'c0ffee00-0000-4000-8000-000000000000'],
      ['a connection stored without a company (multi-entity)', undefined],
    ])('%s: one entity of several is in reauth → degraded, naming the entity', (_what, company) => {
      const signal = provider.signalFor(parse(entityReauth), stored(company));
      expect(signal).toMatchObject({ state: 'degraded', problem: { fix: 'reenter_credentials' } });
      expect(signal?.problem?.reason).toContain(entityReauth.entity_id as string);
    });

    it.each(['disconnected', 'connected'])(
      'one entity of several %s: no signal by itself (the status read decides; never revoked)',
      (status) => {
        const event = parse({ ...entityReauth, data: { status } });
        expect(provider.signalFor(event, stored('c0ffee00-0000-4000-8000-000000000000'))).toBeUndefined();
      },
    );

    it('events without an entity id keep their signal', () => {
      const event = parse(fixture('payloads/finch/webhook-event.account-updated-reauth.json'));
      expect(event.part).toBeUndefined();
      expect(provider.signalFor(event, stored(undefined))?.state).toBe('needs_reauth');
    });
  });

  it.each([
    'job-data-sync-completed',
    'job-initial-data-sync-org',
    'job-initial-data-sync-payroll',
    'job-w4-form-employee-sync',
  ])('%s carries no signal; its job_url is what the confirming status read fetches', (name) => {
    const body = fixture(`payloads/finch/webhook-event.${name}.json`);
    const [event] = provider.parseWebhook(verified(body));
    expect(event).toMatchObject({
      vendorType: body.event_type,
      confirm: 'status_check',
      confirmRef: (body.data as { job_url: string }).job_url,
    });
    expect(event?.signal).toBeUndefined();
  });

  it.each([
    'directory-updated',
    'payment-created',
    'company-updated',
    'employment-created',
    'individual-updated',
    'pay-statement-created',
  ])('%s is recorded without a signal and without a status read', (name) => {
    const body = fixture(`payloads/finch/webhook-event.${name}.json`);
    const [event] = provider.parseWebhook(verified(body));
    expect(event?.vendorType).toBe(body.event_type);
    expect(event?.signal).toBeUndefined();
    expect(event?.confirm).toBeUndefined();
  });

  it('records unknown event types (e.g. the dashboard test event) without a signal', () => {
    const [event] = provider.parseWebhook(
      verified({
        company_id: 'c',
        account_id: 'a',
        connection_id: 'conn',
        event_type: 'test',
        data: { anything: 1 },
      }),
    );
    expect(event).toMatchObject({ vendorType: 'test', upstreamId: 'conn' });
    expect(event?.signal).toBeUndefined();
    expect(event?.confirm).toBeUndefined();
  });

  it('falls back to the deprecated account_id when connection_id is absent', () => {
    const body = {
      ...fixture('payloads/finch/webhook-event.account-updated-reauth.json'),
      connection_id: undefined,
    };
    expect(provider.parseWebhook(verified(body))[0]?.upstreamId).toBe('fa872170-6c1f-4b0a-8f3e-2d5b7c9e1a42');
  });

  it.each([
    ['an unknown status', { data: { status: 'reauthenticating' } }, 'data.status'],
    ['no data', { data: undefined }, 'data'],
    ['no company_id', { company_id: undefined }, 'company_id'],
  ])('rejects account.updated with %s, naming the field', (_what, change, field) => {
    const body = { ...fixture('payloads/finch/webhook-event.account-updated-reauth.json'), ...change };
    let thrown: unknown;
    try {
      provider.parseWebhook(verified(body));
    } catch (error) {
      thrown = error;
    }
    expect(isReconnectKitError(thrown, 'webhook_payload_invalid')).toBe(true);
    expect((thrown as Error).message).toContain(field);
  });
});

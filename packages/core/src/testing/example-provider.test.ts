import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { thrownCode } from '../error-code.test-helpers.js';
import { ExampleApiError, ExampleProvider, ExampleVendor, signExampleWebhook } from './example-provider.js';

const clock = new ManualClock('2026-05-01T12:00:00.000Z');
const provider = new ExampleProvider({ vendor: new ExampleVendor(), webhookSecret: 'whsec', clock });
const event = {
  id: 'evt_1',
  type: 'account.status',
  account_id: 'acc_1',
  owner_id: 'owner_1',
  status: 'password_expired' as const,
  occurred_at: '2026-05-01T11:59:00.000Z',
};

function verify(body: Uint8Array, headers: Record<string, string>, now = clock.now()) {
  return () => provider.verifyWebhook(body, new Headers(headers), now);
}

describe('ExampleProvider webhooks', () => {
  it('verifies the signature over the exact bytes and parses events', () => {
    const signed = signExampleWebhook('whsec', [event], clock.now());
    const [parsed] = provider.parseWebhook(
      provider.verifyWebhook(signed.rawBody, new Headers(signed.headers), clock.now()),
    );
    expect(parsed).toMatchObject({
      eventId: 'evt_1',
      upstreamId: 'acc_1',
      upstreamParentId: 'owner_1',
      occurredAt: new Date(event.occurred_at),
      signal: { state: 'needs_credentials', problem: { fix: 'reenter_credentials' } },
    });
  });

  it('rejects another secret, changed bytes, a missing header and an old timestamp', () => {
    const signed = signExampleWebhook('whsec', [event], clock.now());
    const other = signExampleWebhook('other', [event], clock.now());
    const spaced = new TextEncoder().encode(`${signed.body} `);
    const { 'x-example-signature': _dropped, ...unsigned } = signed.headers;
    expect(thrownCode(verify(signed.rawBody, other.headers))).toBe('webhook_signature_invalid');
    expect(thrownCode(verify(spaced, signed.headers))).toBe('webhook_signature_invalid');
    expect(thrownCode(verify(signed.rawBody, unsigned))).toBe('webhook_signature_invalid');
    const later = new Date(clock.now().getTime() + 5 * 60 * 1000 + 1);
    expect(thrownCode(verify(signed.rawBody, signed.headers, later))).toBe('webhook_stale');
  });

  it('rejects payloads of the wrong shape after verification', () => {
    const bad = signExampleWebhook('whsec', [{ ...event, occurred_at: 'yesterday' }], clock.now());
    const verified = provider.verifyWebhook(bad.rawBody, new Headers(bad.headers), clock.now());
    expect(thrownCode(() => provider.parseWebhook(verified))).toBe('webhook_payload_invalid');
  });

  it('classifies its API errors', () => {
    expect(provider.classifyError(new ExampleApiError(401, 'login_required'))?.state).toBe('needs_reauth');
    expect(provider.classifyError(new ExampleApiError(503, 'down'))).toMatchObject({
      state: 'degraded',
      retryAfterMs: 60_000,
    });
    expect(provider.classifyError(new ExampleApiError(404, 'account_not_found'))).toBeUndefined();
    expect(provider.classifyError(new Error('x'))).toBeUndefined();
  });
});

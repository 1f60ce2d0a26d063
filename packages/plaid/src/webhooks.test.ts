import { describe, expect, it } from 'vitest';
import { NOW, payload, signedWebhook, testKey } from './plaid.test-helpers.js';
import { parsePlaidWebhook, plaidEventId } from './webhooks.js';

const key = testKey('kid-1');

function verified(body: unknown, iat = NOW) {
  const { rawBody, headers } = signedWebhook(body, key, { iat });
  return { provider: 'plaid', rawBody, headers, body, receivedAt: NOW };
}

describe('parsePlaidWebhook', () => {
  it.each([
    ['item-error-webhook.login-required', 'needs_reauth', 'ITEM_LOGIN_REQUIRED'],
    ['item-error-webhook.item-locked', 'needs_credentials', 'ITEM_LOCKED'],
    ['item-login-repaired-webhook', 'connected', 'LOGIN_REPAIRED'],
    ['user-permission-revoked-webhook', 'revoked', 'USER_PERMISSION_REVOKED'],
    ['user-account-revoked-webhook', 'revoked', 'USER_ACCOUNT_REVOKED'],
  ])('%s → %s, confirmed with /item/get', (name, state, code) => {
    const body = payload(name);
    const [event] = parsePlaidWebhook(verified(body));
    expect(event).toMatchObject({
      provider: 'plaid',
      upstreamId: body.item_id,
      occurredAt: NOW,
      signal: { state, vendor: { code } },
      confirm: 'status_check',
    });
  });

  it.each([
    'pending-expiration-webhook',
    'pending-disconnect-webhook',
    'new-accounts-available-webhook',
    'webhook-update-acknowledged-webhook',
  ])('%s is recorded without a state change', (name) => {
    const [event] = parsePlaidWebhook(verified(payload(name)));
    expect(event?.signal).toBeUndefined();
    expect(event?.confirm).toBeUndefined();
  });

  it('PENDING_EXPIRATION and PENDING_DISCONNECT carry an early warning with their deadline', () => {
    const [expiring] = parsePlaidWebhook(verified(payload('pending-expiration-webhook')));
    expect(expiring?.warning).toMatchObject({
      code: 'consent_expiring',
      deadline: new Date('2020-01-15T13:25:17.766Z'),
      vendor: { code: 'PENDING_EXPIRATION' },
    });
    const [disconnect] = parsePlaidWebhook(verified(payload('pending-disconnect-webhook')));
    expect(disconnect?.warning).toMatchObject({
      code: 'disconnect_pending',
      deadline: new Date('2020-01-15T13:25:17.766Z'),
      vendor: { code: 'PENDING_DISCONNECT', message: 'INSTITUTION_MIGRATION' },
    });
    expect(disconnect?.warning?.reason).toContain('2020-01-15');
    expect(
      parsePlaidWebhook(verified(payload('new-accounts-available-webhook')))[0]?.warning,
    ).toBeUndefined();
  });

  it("names the Item's Plaid user as the parent id when the webhook carries one (successor evidence)", () => {
    const [withUser] = parsePlaidWebhook(verified(payload('item-login-repaired-webhook')));
    expect(withUser?.upstreamParentId).toBe('usr_9nSp2KuZ2x4JDw');
    const { user_id: _, ...anonymous } = payload('item-login-repaired-webhook');
    expect(parsePlaidWebhook(verified(anonymous))[0]).not.toHaveProperty('upstreamParentId');
  });

  it('records other webhook types about an Item, and ignores webhooks about no Item', () => {
    const transactions = {
      webhook_type: 'TRANSACTIONS',
      webhook_code: 'SYNC_UPDATES_AVAILABLE',
      item_id: 'i1',
    };
    expect(parsePlaidWebhook(verified(transactions))).toMatchObject([
      { vendorType: 'TRANSACTIONS:SYNC_UPDATES_AVAILABLE', signal: undefined },
    ]);
    expect(parsePlaidWebhook(verified({ webhook_type: 'LINK', webhook_code: 'SESSION_FINISHED' }))).toEqual(
      [],
    );
  });

  it('refuses an ITEM webhook that does not match Plaid schema, naming the field', () => {
    const body = { ...payload('pending-expiration-webhook'), consent_expiration_time: undefined };
    expect(() => parsePlaidWebhook(verified(body))).toThrow(
      expect.objectContaining({
        code: 'webhook_payload_invalid',
        details: { fields: ['consent_expiration_time'] },
      }),
    );
  });

  it('gives one delivery one event id, and a new signing of the same body (a later LOGIN_REPAIRED) a new one', () => {
    const body = payload('item-login-repaired-webhook');
    const first = verified(body);
    expect(parsePlaidWebhook(first)[0]?.eventId).toBe(plaidEventId(first.rawBody, NOW));
    expect(parsePlaidWebhook(verified(body))[0]?.eventId).toBe(parsePlaidWebhook(first)[0]?.eventId);
    const later = verified(body, new Date(NOW.getTime() + 86_400_000));
    expect(parsePlaidWebhook(later)[0]?.eventId).not.toBe(parsePlaidWebhook(first)[0]?.eventId);
  });
});

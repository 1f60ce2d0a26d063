import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { type ArgyleHarness, startHarness } from '../argyle.test-helpers.js';

const harness: ArgyleHarness = await startHarness();
afterAll(() => harness.close());
beforeEach(() => harness.reset());

interface Invite {
  id: string;
  user: string;
  user_token: string | null;
  status: string;
  url: string;
  invited_at: string;
  updated_at: string;
  revoked_at: string | null;
  deliveries: { method: string; sent_at: string }[];
}

const bob = { first_name: 'Bob', last_name: 'Jones', email: 'bob@example.com' };

async function userCount(): Promise<number> {
  return (await harness.api<{ results: unknown[] }>('GET', '/v2/users?limit=200')).body.results.length;
}

describe('invites', () => {
  test('POST /v2/invites creates a user and a sent invite with a Link URL and a user token', async () => {
    const created = await harness.api<Invite>('POST', '/v2/invites', bob);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'sent', first_name: 'Bob', email: 'bob@example.com' });
    expect(created.body.user_token).toMatch(/^ey/);
    expect(created.body.url).toBe(`${harness.mock.url}/link?invite=${created.body.id}`);
    expect(created.body.deliveries).toEqual([expect.objectContaining({ method: 'email', status: 'sent' })]);
    expect((await harness.api('GET', `/v2/users/${created.body.user}`)).status).toBe(200);
  });

  test('a NEW invite for the same person creates a duplicate user (as Argyle warns)', async () => {
    const first = await harness.api<Invite>('POST', '/v2/invites', bob);
    const second = await harness.api<Invite>('POST', '/v2/invites', bob);
    expect(second.body.user).not.toBe(first.body.user);
    expect(await userCount()).toBe(2);
  });

  test('re-sending updates invited_at/updated_at and adds a delivery, without creating a user', async () => {
    await harness.admin('POST', '/clock', { set: '2026-02-12T09:00:00.000Z' });
    const created = await harness.api<Invite>('POST', '/v2/invites', {
      ...bob,
      email: null,
      phone_number: '+15550100',
    });
    await harness.admin('POST', '/clock', { advance_ms: 60_000 });
    const resent = await harness.api<Invite>('POST', `/v2/invites/${created.body.id}`, {});
    expect(resent.status).toBe(200);
    expect(resent.body.user).toBe(created.body.user);
    expect(Date.parse(resent.body.invited_at) - Date.parse(created.body.invited_at)).toBe(60_000);
    expect(resent.body.updated_at).toBe(resent.body.invited_at);
    expect(resent.body.deliveries.map((delivery) => delivery.method)).toEqual(['sms', 'sms']);
    expect(await userCount()).toBe(1);
  });

  test('revoke sets status and revoked_at; a revoked invite cannot be re-sent', async () => {
    const created = await harness.api<Invite>('POST', '/v2/invites', bob);
    const revoked = await harness.api<Invite>('POST', `/v2/invites/${created.body.id}/revoke`);
    expect(revoked.body.status).toBe('revoked');
    expect(revoked.body.revoked_at).not.toBeNull();
    const resend = await harness.api('POST', `/v2/invites/${created.body.id}`);
    expect(resend.status).toBe(400);
    expect(resend.body).toEqual({ non_field_errors: ['A revoked invite cannot be re-sent.'] });
  });

  test('GET /v2/invites lists without user tokens and filters by status (comma list or repeated)', async () => {
    const a = await harness.api<Invite>('POST', '/v2/invites', bob);
    const b = await harness.api<Invite>('POST', '/v2/invites', { ...bob, first_name: 'Sarah' });
    await harness.api('POST', `/v2/invites/${b.body.id}/revoke`);
    const all = await harness.api<{ results: Invite[] }>('GET', '/v2/invites');
    expect(all.body.results.map((invite) => invite.user_token)).toEqual([null, null]);
    const revoked = await harness.api<{ results: Invite[] }>('GET', '/v2/invites?status=revoked');
    expect(revoked.body.results.map((invite) => invite.id)).toEqual([b.body.id]);
    for (const query of ['status=sent,revoked', 'status=sent&status=revoked']) {
      const both = await harness.api<{ results: Invite[] }>('GET', `/v2/invites?${query}`);
      expect(both.body.results.map((invite) => invite.id)).toEqual([a.body.id, b.body.id]);
    }
    expect((await harness.api('GET', '/v2/invites?status=lost')).status).toBe(400);
  });

  test('bad input is a 400 naming the fields, and nothing is created', async () => {
    const missing = await harness.api('POST', '/v2/invites', { email: 'bob@example.com' });
    expect(missing.body).toEqual({
      first_name: ['This field is required.'],
      last_name: ['This field is required.'],
    });
    const noContact = await harness.api('POST', '/v2/invites', { first_name: 'Bob', last_name: 'Jones' });
    expect(noContact.body).toEqual({ non_field_errors: ['Either email or phone_number is required.'] });
    expect(await userCount()).toBe(0);
  });
});

import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { inspect } from 'node:util';
import { PLAID_DEFAULT_CREDENTIALS } from '@reconnect-kit/mock-plaid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningHostApp, startHostApp } from '../../examples/host-app/src/index.js';

/**
 * The example host app's own routes (the template hosts copy), attacked over HTTP: its "Connect again" return and
 * its state-changing dashboard actions. The Reconnect Kit routers it mounts are covered in hostile-callers.test.ts.
 */

let app: RunningHostApp;
beforeAll(async () => {
  app = await startHostApp({ port: 0 });
});
afterAll(async () => {
  await app?.close();
});

describe('example host app: Connect again', () => {
  it("a forged Argyle Link return cannot attach another user's account (nor a live connection's) to a host user", async () => {
    // Another Argyle user's account (its user has not finished connecting to this host yet).
    const seeded = await fetch(`${app.mocks.argyle}/__admin/scenarios/argyle.seed_connected`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const { changed } = (await seeded.json()) as { changed: { account_id: string; user_id: string } };
    const dave = await app.service.getConnection(app.seeded!.argyleHealthy);
    expect(changed.user_id).not.toBe(dave.upstreamParentId);
    const forged = (previous: string) =>
      `${app.url}/connect-again/argyle/return?${new URLSearchParams({
        previous,
        user_id: dave.upstreamParentId ?? '',
        account_id: changed.account_id,
      })}`;
    const daveCount = async () =>
      (await app.service.listConnections({ provider: 'argyle', hostUserId: 'dave' })).items.length;
    const before = await daveCount();

    // Dave's connection is live: Connect again is for terminal connections only.
    const live = await fetch(forged(dave.id), { redirect: 'manual' });
    expect(live.status).toBe(303);
    expect(live.headers.get('location')).toContain('error=not_terminal');

    // Revoked: the return still names another Argyle user's account, so nothing is registered.
    await app.service.revoke(dave.id);
    const foreign = await fetch(forged(dave.id), { redirect: 'manual' });
    expect(foreign.status).toBe(303);
    expect(foreign.headers.get('location')).toContain('error=callback_invalid');
    expect(await daveCount()).toBe(before);
  });
});

describe('example host app: cross-site form posts', () => {
  const crossSite = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };

  it.each([
    ['disconnect', 'disconnect'],
    ['check status', 'check'],
    ['connect again', 'connect-again'],
  ])('refuses a cross-site %s and changes nothing', async (_name, path) => {
    const id = app.seeded!.finchHealthy;
    const before = await app.service.getConnection(id);
    const response = await fetch(`${app.url}/connections/${id}/${path}`, {
      method: 'POST',
      headers: crossSite,
      redirect: 'manual',
    });
    expect(response.status).toBe(403);
    expect((await app.service.getConnection(id)).version).toBe(before.version);
  });

  it('refuses a cross-site demo scenario (nothing runs at the mock)', async () => {
    const id = app.seeded!.finchHealthy;
    const before = await app.service.getConnection(id);
    const response = await fetch(`${app.url}/demo/connections/${id}/scenarios/finch.reauth`, {
      method: 'POST',
      headers: crossSite,
      redirect: 'manual',
    });
    expect(response.status).toBe(403);
    expect((await app.service.getConnection(id)).version).toBe(before.version);
  });

  it('still takes the same-origin form post', async () => {
    const id = app.seeded!.finchHealthy;
    const response = await fetch(`${app.url}/connections/${id}/check`, {
      method: 'POST',
      headers: { origin: app.url, 'sec-fetch-site': 'same-origin' },
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toContain('notice=checked');
  });
});

describe('Plaid webhooks with forged key ids', () => {
  /** A well-formed Plaid-Verification JWT for `body`, signed with the attacker's own P-256 key under `kid`. */
  function forgedJwt(body: string, kid: string): string {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signed = `${part({ alg: 'ES256', kid, typ: 'JWT' })}.${part({
      iat: Math.floor(Date.now() / 1000),
      request_body_sha256: createHash('sha256').update(body).digest('hex'),
    })}`;
    const signature = sign('sha256', Buffer.from(signed), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    return `${signed}.${signature.toString('base64url')}`;
  }

  it('a flood of unknown kids cannot make the host call Plaid once per forged delivery', async () => {
    const target = await app.service.getConnection(app.seeded!.plaidHealthy);
    const body = JSON.stringify({
      webhook_type: 'ITEM',
      webhook_code: 'USER_PERMISSION_REVOKED',
      item_id: target.upstreamId,
      environment: 'sandbox',
    });
    await fetch(`${app.mocks.plaid}/__admin/requests`, { method: 'DELETE' });
    const statuses = new Set<number>();
    // The key lookups forged deliveries may cause a minute (MAX_KEY_LOOKUPS_PER_MINUTE of @reconnect-kit/plaid).
    for (let i = 0; i < 40; i += 1) {
      const response = await fetch(`${app.url}/webhooks/plaid`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'plaid-verification': forgedJwt(body, randomUUID()) },
        body,
      });
      statuses.add(response.status);
    }
    expect([...statuses]).toEqual([401]);
    const journal = (await (await fetch(`${app.mocks.plaid}/__admin/requests`)).json()) as {
      requests: { path: string }[];
    };
    const lookups = journal.requests.filter((entry) => entry.path === '/webhook_verification_key/get');
    expect(lookups.length).toBeLessThanOrEqual(10);
    expect((await app.service.getConnection(target.id)).state).toBe(target.state);
  });
});

describe('errors the host catches carry no Plaid credentials', () => {
  it.each([
    ['Plaid refuses the call', { status: 400 }],
    ['the connection to Plaid drops', { reset_connection: true }],
  ])(
    '%s: neither util.inspect nor JSON of the thrown error shows the secret or the access token',
    async (_name, fault) => {
      const faults = `${app.mocks.plaid}/__admin/faults`;
      await fetch(faults, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ method: 'POST', path: '/link/token/create', ...fault }),
      });
      try {
        const error: unknown = await app.service.startReconnection(app.seeded!.plaidLoginRequired).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error).toMatchObject({ name: 'ReconnectKitError' });
        for (const shown of [inspect(error, { depth: Number.POSITIVE_INFINITY }), JSON.stringify(error)]) {
          expect(shown).not.toContain(PLAID_DEFAULT_CREDENTIALS.secret);
          expect(shown).not.toContain('access-sandbox-');
        }
      } finally {
        await fetch(faults, { method: 'DELETE' });
      }
    },
  );
});

describe('example host app: clickjacking', () => {
  it('pages with state-changing buttons cannot be framed by another site (a framed click would be same-origin)', async () => {
    const id = app.seeded!.finchHealthy;
    for (const path of ['/', `/connections/${id}/disconnect`]) {
      const response = await fetch(`${app.url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    }
  });
});

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

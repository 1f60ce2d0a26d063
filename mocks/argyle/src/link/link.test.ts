import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import {
  type ArgyleHarness,
  connectThroughLink,
  createUser,
  elementText,
  FIRST_SYNC_EVENTS,
  inputValue,
  startHarness,
} from '../argyle.test-helpers.js';
import { MFA_TIMEOUT_MS } from './routes.js';

const harness: ArgyleHarness = await startHarness();
afterAll(() => harness.close());
beforeEach(() => harness.reset());

const events = (webhooks: { json: { event: string } }[]) => webhooks.map((webhook) => webhook.json.event);

describe('Link login', () => {
  test('login + MFA creates a connected account: accounts.added, then accounts.connected + accounts.updated', async () => {
    const user = await createUser(harness);
    const opened = await harness.link(`/link?user_token=${encodeURIComponent(user.userToken)}`);
    expect(opened.status).toBe(200);
    expect(opened.html).toContain('<label for="username">Username</label>');
    expect(opened.html).toContain('No connections yet.');
    const login = await harness.link('/link/login', {
      user_token: user.userToken,
      item: 'item_000029932',
      username: 'test_1',
      password: 'passgood',
    });
    expect(login.html).toContain('<label for="code">Verification code</label>');
    expect(events(await harness.takeWebhooks('/default'))).toEqual(['accounts.added']);
    const wrong = await harness.link('/link/mfa', {
      user_token: user.userToken,
      challenge: inputValue(login.html, 'challenge'),
      code: '0000',
    });
    expect(wrong.html).toContain('role="alert"');
    const done = await harness.link('/link/mfa', {
      user_token: user.userToken,
      challenge: inputValue(login.html, 'challenge'),
      code: '8081',
    });
    expect(done.status).toBe(200);
    expect(done.html).toContain('Success!');
    const accountId = elementText(done.html, 'account-id')!;
    expect(events(await harness.takeWebhooks('/default'))).toEqual([
      'accounts.connected',
      'accounts.updated',
      ...FIRST_SYNC_EVENTS,
    ]);
    const account = await harness.api<{ connection: { status: string }; user: string }>(
      'GET',
      `/v2/accounts/${accountId}`,
    );
    expect(account.body.connection.status).toBe('connected');
    expect(account.body.user).toBe(user.id);
    const home = await harness.link(`/link?user_token=${encodeURIComponent(user.userToken)}`);
    expect(home.html).toContain(`account_id=${accountId}`);
    expect(home.html).toContain('Walmart</a> · <span class="status">connected</span>');
  });
});

async function seed(): Promise<{ user_id: string; account_id: string; user_token: string }> {
  const seeded = await harness.scenario<{ user_id: string; account_id: string; user_token: string }>(
    'argyle.seed_connected',
  );
  await harness.takeWebhooks();
  return seeded;
}

async function accountStatus(accountId: string) {
  const { body } = await harness.api<{ connection: { status: string; error_code: string | null } }>(
    'GET',
    `/v2/accounts/${accountId}`,
  );
  return body.connection;
}

describe('Link login errors', () => {
  test('an already connected account gives duplicate_account on the login screen and changes nothing', async () => {
    const seeded = await seed();
    const again = await connectThroughLink(harness, seeded.user_token);
    expect(elementText(again.html, 'error-code')).toBe('duplicate_account');
    expect(await harness.takeWebhooks()).toEqual([]);
    const { body } = await harness.api<{ results: unknown[] }>('GET', `/v2/accounts?user=${seeded.user_id}`);
    expect(body.results).toHaveLength(1);
  });

  test('passbad fails with invalid_credentials (accounts.added, accounts.failed, accounts.updated); a retry keeps the id', async () => {
    const user = await createUser(harness);
    const failed = await connectThroughLink(harness, user.userToken, { password: 'passbad' });
    expect(elementText(failed.html, 'error-code')).toBe('invalid_credentials');
    expect(failed.html).toContain('Need help logging in?');
    expect(events(await harness.takeWebhooks('/default'))).toEqual([
      'accounts.added',
      'accounts.failed',
      'accounts.updated',
    ]);
    const accountId = inputValue(failed.html, 'account_id');
    expect(await accountStatus(accountId)).toMatchObject({
      status: 'error',
      error_code: 'invalid_credentials',
    });
    const retried = await connectThroughLink(harness, user.userToken, { accountId });
    expect(elementText(retried.html, 'account-id')).toBe(accountId);
    // The first successful connect of the account runs its first sync.
    expect(events(await harness.takeWebhooks('/default'))).toEqual([
      'accounts.updated',
      'accounts.connected',
      'accounts.updated',
      ...FIRST_SYNC_EVENTS,
    ]);
  });

  test('an MFA code entered after the timeout fails with mfa_timeout (accounts.failed + accounts.updated)', async () => {
    const user = await createUser(harness);
    const login = await harness.link('/link/login', {
      user_token: user.userToken,
      item: 'item_000029932',
      username: 'test_2',
      password: 'passgood',
    });
    await harness.admin('POST', '/clock', { advance_ms: 5 * 60 * 1000 });
    const late = await harness.link('/link/mfa', {
      user_token: user.userToken,
      challenge: inputValue(login.html, 'challenge'),
      code: '8082',
    });
    expect(elementText(late.html, 'error-code')).toBe('mfa_timeout');
    expect(late.html).toContain('>Reconnect</button>');
    expect(events(await harness.takeWebhooks('/default'))).toEqual([
      'accounts.added',
      'accounts.failed',
      'accounts.updated',
    ]);
  });

  test('bad or expired user tokens and foreign account ids get Link error screens', async () => {
    const seeded = await seed();
    const other = await createUser(harness);
    const invalid = await harness.link('/link?user_token=not.a.token');
    expect(invalid.status).toBe(401);
    expect(elementText(invalid.html, 'error-type')).toBe('invalid_user_token');
    const foreign = await harness.link(
      `/link?user_token=${encodeURIComponent(other.userToken)}&account_id=${seeded.account_id}`,
    );
    expect(foreign.status).toBe(404);
    expect(elementText(foreign.html, 'error-type')).toBe('invalid_account_id');
    await harness.admin('POST', '/clock', { advance_ms: 3600 * 1000 });
    const expired = await harness.link(`/link?user_token=${encodeURIComponent(seeded.user_token)}`);
    expect(expired.status).toBe(401);
    expect(elementText(expired.html, 'error-type')).toBe('expired_user_token');
  });

  test('user input is escaped in the page', async () => {
    const user = await createUser(harness);
    const page = await connectThroughLink(harness, user.userToken, {
      username: '<script>x</script>',
      password: 'p',
    });
    expect(page.html).not.toContain('<script>x</script>');
    expect(page.html).toContain('&lt;script&gt;x&lt;/script&gt;');
  });
});

describe('Link reconnect', () => {
  test('auth_required: one click on Reconnect (+ MFA) restores the SAME account id', async () => {
    const seeded = await seed();
    await harness.scenario('argyle.auth_required', { target: seeded.account_id });
    await harness.takeWebhooks();
    const { body } = await harness.api<{ user_token: string }>('POST', '/v2/user-tokens', {
      user: seeded.user_id,
    });
    const opened = await harness.link(
      `/link?user_token=${encodeURIComponent(body.user_token)}&account_id=${seeded.account_id}&redirect_uri=${encodeURIComponent('https://host.example/back?x=1')}`,
    );
    expect(opened.html).toContain('>Reconnect</button>');
    expect(opened.html).not.toContain('name="password"');
    const reconnect = await harness.link('/link/reconnect', {
      user_token: body.user_token,
      account_id: seeded.account_id,
      redirect_uri: 'https://host.example/back?x=1',
    });
    expect(events(await harness.takeWebhooks('/default'))).toEqual(['accounts.updated']);
    expect(await accountStatus(seeded.account_id)).toMatchObject({ status: 'connecting' });
    const done = await harness.link('/link/mfa', {
      user_token: body.user_token,
      challenge: inputValue(reconnect.html, 'challenge'),
      redirect_uri: inputValue(reconnect.html, 'redirect_uri'),
      code: '8081',
    });
    expect(elementText(done.html, 'account-id')).toBe(seeded.account_id);
    const back = new URL(/id="return-link" href="([^"]+)"/.exec(done.html)![1]!.replaceAll('&amp;', '&'));
    expect(back.origin + back.pathname).toBe('https://host.example/back');
    expect(Object.fromEntries(back.searchParams)).toEqual({
      x: '1',
      account_id: seeded.account_id,
      user_id: seeded.user_id,
    });
    expect(events(await harness.takeWebhooks('/default'))).toEqual([
      'accounts.connected',
      'accounts.updated',
    ]);
    expect(await accountStatus(seeded.account_id)).toEqual(
      expect.objectContaining({ status: 'connected', error_code: null }),
    );
  });

  test('expired_credentials: the login form asks for credentials again (with login help); same id after', async () => {
    const seeded = await seed();
    await harness.scenario('argyle.expired_credentials', { target: seeded.account_id });
    await harness.takeWebhooks();
    const opened = await harness.link(
      `/link?user_token=${encodeURIComponent(seeded.user_token)}&account_id=${seeded.account_id}`,
    );
    expect(opened.html).toContain('<label for="password">Password</label>');
    expect(opened.html).toContain('Need help logging in?');
    expect(opened.html).not.toContain('>Reconnect</button>');
    expect(elementText(opened.html, 'error-code')).toBe('expired_credentials');
    const oneClick = await harness.link('/link/reconnect', {
      user_token: seeded.user_token,
      account_id: seeded.account_id,
    });
    expect(oneClick.status).toBe(409);
    const help = await harness.link('/link/login-help?item=item_000029932');
    expect(help.html).toContain('Walmart');
    const done = await connectThroughLink(harness, seeded.user_token, { accountId: seeded.account_id });
    expect(elementText(done.html, 'account-id')).toBe(seeded.account_id);
    expect(events(await harness.takeWebhooks('/default'))).toEqual([
      'accounts.updated',
      'accounts.connected',
      'accounts.updated',
    ]);
  });

  test('invalid_credentials_on_reconnect: the armed reconnect fails, then credentials fix it', async () => {
    const seeded = await seed();
    await harness.scenario('argyle.auth_required', { target: seeded.account_id });
    const armed = await harness.admin<{ webhooks: unknown[] }>(
      'POST',
      '/scenarios/argyle.invalid_credentials_on_reconnect',
      { target: seeded.account_id },
    );
    expect(armed.body.webhooks).toEqual([]);
    await harness.takeWebhooks();
    const failed = await harness.link('/link/reconnect', {
      user_token: seeded.user_token,
      account_id: seeded.account_id,
    });
    expect(elementText(failed.html, 'error-code')).toBe('invalid_credentials');
    expect(failed.html).toContain('<label for="password">Password</label>');
    expect(events(await harness.takeWebhooks('/default'))).toEqual([
      'accounts.updated',
      'accounts.failed',
      'accounts.updated',
    ]);
    expect(await accountStatus(seeded.account_id)).toMatchObject({ error_code: 'invalid_credentials' });
    const done = await connectThroughLink(harness, seeded.user_token, { accountId: seeded.account_id });
    expect(elementText(done.html, 'account-id')).toBe(seeded.account_id);
  });

  test('revoke in Link removes the account (accounts.removed); logging in again creates a NEW id', async () => {
    const seeded = await seed();
    const revoked = await harness.link('/link/revoke', {
      user_token: seeded.user_token,
      account_id: seeded.account_id,
    });
    expect(revoked.html).toContain('Access revoked');
    const removed = await harness.takeWebhooks('/default');
    expect(events(removed)).toEqual(['accounts.removed']);
    expect(removed[0]!.json.data).toEqual({ account: seeded.account_id, user: seeded.user_id });
    expect((await harness.api('GET', `/v2/accounts/${seeded.account_id}`)).status).toBe(404);
    const again = await connectThroughLink(harness, seeded.user_token);
    const newId = elementText(again.html, 'account-id');
    expect(newId).toMatch(/^[0-9a-f-]{36}$/);
    expect(newId).not.toBe(seeded.account_id);
  });
});

describe('invites', () => {
  test('the invite URL opens Link for the invited user; re-sending creates no user; revoking closes the URL', async () => {
    const created = await harness.api<{ id: string; user: string; url: string }>('POST', '/v2/invites', {
      first_name: 'Bob',
      last_name: 'Jones',
      email: 'bob@example.com',
    });
    const url = new URL(created.body.url);
    expect(url.pathname).toBe('/link');
    const opened = await harness.link(url.pathname + url.search);
    expect(opened.status).toBe(200);
    const token = inputValue(opened.html, 'user_token');
    expect((await harness.api<{ status: string }>('GET', `/v2/invites/${created.body.id}`)).body.status).toBe(
      'initiated',
    );
    const login = await harness.link('/link/login', {
      user_token: token,
      invite: created.body.id,
      item: 'item_000002102',
      username: 'test_3',
      password: 'passgood',
    });
    const done = await harness.link('/link/mfa', {
      user_token: token,
      invite: created.body.id,
      challenge: inputValue(login.html, 'challenge'),
      code: '8083',
    });
    const accountId = elementText(done.html, 'account-id')!;
    const account = await harness.api<{ user: string; employers: string[] }>(
      'GET',
      `/v2/accounts/${accountId}`,
    );
    expect(account.body).toMatchObject({ user: created.body.user, employers: ['Target'] });
    const invite = await harness.api<{ status: string }>('GET', `/v2/invites/${created.body.id}`);
    expect(invite.body.status).toBe('completed');

    const usersBefore = await harness.api<{ results: unknown[] }>('GET', '/v2/users?limit=200');
    const resent = await harness.api<{ deliveries: unknown[]; invited_at: string; user: string }>(
      'POST',
      `/v2/invites/${created.body.id}`,
    );
    expect(resent.body.deliveries).toHaveLength(2);
    expect(resent.body.user).toBe(created.body.user);
    const usersAfter = await harness.api<{ results: unknown[] }>('GET', '/v2/users?limit=200');
    expect(usersAfter.body.results).toHaveLength(usersBefore.body.results.length);

    await harness.api('POST', `/v2/invites/${created.body.id}/revoke`);
    const closed = await harness.link(url.pathname + url.search);
    expect(closed.status).toBe(410);
    expect(closed.html).toContain('This invite has expired');
  });
});

describe('Link sandbox help, interrupted connections and shareable URLs', () => {
  test('the login form lists the sandbox logins; the MFA page names the code this login accepts', async () => {
    const user = await createUser(harness);
    const opened = await harness.link(`/link?user_token=${encodeURIComponent(user.userToken)}`);
    expect(opened.html).toContain('<summary>Sandbox credentials</summary>');
    for (const [username, code] of [
      ['test_1', '8081'],
      ['test_2', '8082'],
      ['test_3', '8083'],
    ]) {
      expect(opened.html).toContain(
        `<td><code>${username}</code></td><td><code>passgood</code></td><td><code>${code}</code></td>`,
      );
    }
    const login = await harness.link('/link/login', {
      user_token: user.userToken,
      item: 'item_000029932',
      username: 'test_2',
      password: 'passgood',
    });
    expect(login.html).toContain('Sandbox: this login accepts the code <code>8082</code>.');
  });

  test('an interrupted connection (left at MFA) can be continued from the account screen', async () => {
    const user = await createUser(harness);
    const login = await harness.link('/link/login', {
      user_token: user.userToken,
      item: 'item_000029932',
      username: 'test_1',
      password: 'passgood',
    });
    const challenge = inputValue(login.html, 'challenge');
    const home = await harness.link(`/link?user_token=${encodeURIComponent(user.userToken)}`);
    const accountId = /account_id=([0-9a-f-]+)/.exec(home.html)![1]!;
    const screen = await harness.link(
      `/link?user_token=${encodeURIComponent(user.userToken)}&account_id=${accountId}`,
    );
    expect(screen.html).toContain('<button type="submit">Continue connecting</button>');
    const resumed = await harness.link('/link/resume', { user_token: user.userToken, account_id: accountId });
    expect(inputValue(resumed.html, 'challenge')).toBe(challenge);
    // Once the code request has expired, continuing asks for a fresh one.
    await harness.admin('POST', '/clock', { advance_ms: MFA_TIMEOUT_MS + 1 });
    const later = await harness.link('/link/resume', {
      user_token: (await harness.api<{ user_token: string }>('POST', '/v2/user-tokens', { user: user.id }))
        .body.user_token,
      account_id: accountId,
    });
    const fresh = inputValue(later.html, 'challenge');
    expect(fresh).not.toBe(challenge);
    const done = await harness.link('/link/mfa', {
      user_token: inputValue(later.html, 'user_token'),
      challenge: fresh,
      code: '8081',
    });
    expect(elementText(done.html, 'account-id')).toBe(accountId);
    // A connected account has nothing to continue.
    const again = await harness.link('/link/resume', {
      user_token: inputValue(later.html, 'user_token'),
      account_id: accountId,
    });
    expect(again.status).toBe(409);
  });

  test('a user’s shareable URL opens Link for that user’s connections, without a user token', async () => {
    const seeded = await harness.scenario<{ account_id: string; shareable_path: string }>(
      'argyle.seed_connected',
    );
    const shared = await harness.link(seeded.shareable_path);
    expect(shared.status).toBe(200);
    expect(shared.html).toContain(`account_id=${seeded.account_id}`);
    expect(shared.html).toContain(`${harness.mock.url}${seeded.shareable_path}`);
    // The user can act on the connection from there (the forms carry the share id and a fresh token).
    await harness.scenario('argyle.auth_required', { target: seeded.account_id });
    const screen = await harness.link(`${seeded.shareable_path}?account_id=${seeded.account_id}`);
    expect(inputValue(screen.html, 'share')).toBe(seeded.shareable_path.split('/').at(-1));
    const reconnect = await harness.link('/link/reconnect', {
      share: inputValue(screen.html, 'share'),
      user_token: inputValue(screen.html, 'user_token'),
      account_id: seeded.account_id,
    });
    expect(reconnect.html).toContain('name="challenge"');
    expect((await harness.link('/link/share/share_unknown')).status).toBe(404);
    // Another user's token cannot ride on this URL.
    const other = await createUser(harness);
    const mixed = await harness.link(
      `${seeded.shareable_path}?user_token=${encodeURIComponent(other.userToken)}`,
    );
    expect(mixed.status).toBe(400);
  });

  test('the flow’s shareable URL creates a user and sends them to their own URL', async () => {
    const response = await fetch(`${harness.mock.url}/link/share`, { redirect: 'manual' });
    expect(response.status).toBe(303);
    const location = response.headers.get('location')!;
    expect(location).toMatch(/^\/link\/share\/share_/);
    const users = await harness.api<{ results: unknown[] }>('GET', '/v2/users');
    expect(users.body.results).toHaveLength(1);
    const opened = await harness.link(location);
    expect(opened.html).toContain('No connections yet.');
  });

  test('ongoing_refresh_disabled: Link offers Reconnect, which turns refresh back on', async () => {
    const seeded = await harness.scenario<{ account_id: string; user_token: string }>(
      'argyle.seed_connected',
    );
    await harness.api('POST', `/v2/accounts/${seeded.account_id}/disable-ongoing-refresh`);
    const screen = await harness.link(
      `/link?user_token=${encodeURIComponent(seeded.user_token)}&account_id=${seeded.account_id}`,
    );
    expect(screen.html).toContain('<code id="error-code">ongoing_refresh_disabled</code>');
    const reconnect = await harness.link('/link/reconnect', {
      user_token: seeded.user_token,
      account_id: seeded.account_id,
    });
    await harness.link('/link/mfa', {
      user_token: seeded.user_token,
      challenge: inputValue(reconnect.html, 'challenge'),
      code: '8081',
    });
    const account = await harness.api<{
      ongoing_refresh: { status: string };
      connection: { status: string };
    }>('GET', `/v2/accounts/${seeded.account_id}`);
    expect(account.body).toMatchObject({
      ongoing_refresh: { status: 'enabled' },
      connection: { status: 'connected' },
    });
  });
});

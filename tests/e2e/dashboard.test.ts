/**
 * The example host app in a real browser (Debian's Chromium through playwright-core), against the in-process
 * Argyle, Finch and Plaid mocks: every reconnect path a user clicks through (Plaid's through the mock's hosted Link
 * page in update mode), live status updates, and screenshots of the dashboard's main states for the docs. One file,
 * so one Chromium serves every test.
 *
 * Screenshots are taken only when asked for: `SCREENSHOTS=1` writes them to the git-ignored
 * `test-results/screenshots/`; to refresh the ones the docs show, run
 * `UPDATE_SCREENSHOTS=1 npx -y pnpm@10 exec vitest run --project e2e`, which writes `docs/screenshots/` (commit
 * them when the dashboard's look changed).
 */
import { describe, expect, it } from 'vitest';
import { chromiumAvailable, screenshot, useHostAppInChromium } from './browser.test-helpers.js';
import { MovableClock } from './host-clock.test-helpers.js';

const ARGYLE_MFA = { test_1: '8081', test_2: '8082', test_3: '8083' };
const MINUTE = 60_000;
/** Core's default reconnect-attempt lifetime, which the demo keeps. */
const ATTEMPT_LIFETIME_MS = 30 * MINUTE;
/** The polling fallback's test waits for a poll: 3 s in the demo, a fifth of a second here. */
const POLL_INTERVAL_MS = 200;

describe.skipIf(!chromiumAvailable())('example host app in Chromium', () => {
  /** The host's clock (the mocks keep real time): a test moves it past an attempt's lifetime. */
  let clock: MovableClock;
  const session = useHostAppInChromium(() => {
    clock = new MovableClock();
    return { port: 0, clock, pollIntervalMs: POLL_INTERVAL_MS };
  });
  const { seeded, card } = session;
  const badge = (connectionId: string) => card(connectionId).getByTestId('state');
  /** Opens the dashboard and waits until its live updates run (`sse`, or `polling` without EventSource). */
  const openDashboard = async (live: 'sse' | 'polling' = 'sse') => {
    await session.page.goto(session.app.url);
    await expect.poll(() => session.page.evaluate(() => document.documentElement.dataset.live)).toBe(live);
  };
  const runDemoScenario = async (connectionId: string, label: string) => {
    await card(connectionId)
      .getByText(/^Demo: make something happen/)
      .click();
    await card(connectionId).getByRole('button', { name: label }).click();
    await session.page.waitForURL(/notice=scenario/);
  };
  const badgeText = (connectionId: string) => badge(connectionId).textContent();
  const finchSignIn = async () => {
    await session.page.waitForURL(/\/authorize\?/);
    await session.page.getByLabel('Username').fill('good_user');
    await session.page.getByLabel('Password').fill('good_pass');
    await session.page.getByRole('button', { name: 'Connect' }).click();
  };
  const historyText = async (connectionId: string) => {
    await card(connectionId)
      .getByText(/^Event history/)
      .click();
    return card(connectionId).locator('.history').textContent();
  };

  it('lists each end user’s connections with the canonical state and the raw vendor code', async () => {
    await openDashboard();
    await expect
      .poll(() => session.page.getByRole('heading', { level: 1 }).textContent())
      .toBe('Payroll connections');
    for (const name of ['Alice Martin', 'Bob Nguyen', 'Dave Okafor']) {
      expect(await session.page.getByRole('heading', { level: 2, name }).count()).toBe(1);
    }
    const { argyleOneClick, argyleCredentials, finchReauth, argyleHealthy } = seeded();
    expect(await badgeText(argyleOneClick)).toBe('Needs sign-in');
    expect(await card(argyleOneClick).getByTestId('vendor-code').textContent()).toBe('error · auth_required');
    expect(await badgeText(argyleCredentials)).toBe('Needs new credentials');
    expect(await card(argyleCredentials).getByTestId('vendor-code').textContent()).toBe(
      'error · expired_credentials',
    );
    expect(await badgeText(finchReauth)).toBe('Needs sign-in');
    expect(await card(finchReauth).getByTestId('vendor-code').textContent()).toBe('reauth');
    expect(await badgeText(argyleHealthy)).toBe('Connected');
    expect(await card(argyleHealthy).getByRole('button', { name: 'Reconnect' }).count()).toBe(0);
    // The history shows the break that arrived by webhook.
    await card(argyleOneClick)
      .getByText(/^Event history/)
      .click();
    expect(await card(argyleOneClick).locator('.history').textContent()).toContain(
      'connected → needs_reauth',
    );
    await screenshot(session.page, 'dashboard-broken');
  });

  it('Argyle one-click: Reconnect opens Link on the account, the Reconnect button + MFA restore it', async () => {
    const { argyleOneClick } = seeded();
    await openDashboard();
    await card(argyleOneClick).getByRole('button', { name: 'Reconnect' }).click();
    await session.page.waitForURL(/\/link\?/);
    expect(new URL(session.page.url()).searchParams.get('account_id')).toBeTruthy();
    expect(await session.page.locator('#connection-status').textContent()).toBe('error');
    await session.page.getByRole('button', { name: 'Reconnect' }).click();
    await session.page.getByLabel('Verification code').fill(ARGYLE_MFA.test_1);
    await session.page.getByRole('button', { name: 'Submit' }).click();
    await session.page.getByRole('link', { name: 'Return to the app' }).click();
    await session.page.waitForURL(/outcome=recovered/);
    expect(await session.page.getByTestId('flash').textContent()).toContain('is reconnected');
    expect(await badgeText(argyleOneClick)).toBe('Connected');
    await screenshot(session.page, 'dashboard-recovered');
  });

  it('Argyle credentials: Link asks for the password again (with MFA), then the connection recovers', async () => {
    const { argyleCredentials } = seeded();
    await openDashboard();
    await card(argyleCredentials).getByRole('button', { name: 'Reconnect' }).click();
    await session.page.waitForURL(/\/link\?/);
    expect(await session.page.getByRole('heading', { level: 1 }).textContent()).toBe('Log in again');
    expect(await session.page.getByLabel('Username').inputValue()).toBe('test_2');
    await session.page.getByLabel('Password').fill('passgood');
    await session.page.getByRole('button', { name: 'Log in' }).click();
    await session.page.getByLabel('Verification code').fill(ARGYLE_MFA.test_2);
    await session.page.getByRole('button', { name: 'Submit' }).click();
    await session.page.getByRole('link', { name: 'Return to the app' }).click();
    await session.page.waitForURL(/outcome=recovered/);
    expect(await badgeText(argyleCredentials)).toBe('Connected');
    expect(await card(argyleCredentials).getByTestId('vendor-code').textContent()).toBe('connected');
  });

  it('Finch: Reconnect goes through the Connect re-auth session and the code exchange, same connection', async () => {
    const { finchReauth } = seeded();
    const before = await session.app.service.getConnection(finchReauth);
    await openDashboard();
    await card(finchReauth).getByRole('button', { name: 'Reconnect' }).click();
    await session.page.waitForURL(/\/authorize\?/);
    await session.page.getByLabel('Username').fill('good_user');
    await session.page.getByLabel('Password').fill('good_pass');
    await session.page.getByRole('button', { name: 'Connect' }).click();
    await session.page.waitForURL(/outcome=recovered/);
    expect(await badgeText(finchReauth)).toBe('Connected');
    const after = await session.app.service.getConnection(finchReauth);
    expect(after.upstreamId).toBe(before.upstreamId);
    expect(after.upstreamParentId).toBe(before.upstreamParentId);
  });

  it('a Finch re-auth into a different company is flagged on the page and the connection is not switched', async () => {
    const { finchHealthy } = seeded();
    const before = await session.app.service.getConnection(finchHealthy);
    await openDashboard();
    await runDemoScenario(finchHealthy, 'Next sign-in reaches another company');
    expect(await badgeText(finchHealthy)).toBe('Needs sign-in');
    await card(finchHealthy).getByRole('button', { name: 'Reconnect' }).click();
    await session.page.waitForURL(/\/authorize\?/);
    await session.page.getByLabel('Username').fill('good_user');
    await session.page.getByLabel('Password').fill('good_pass');
    await session.page.getByRole('button', { name: 'Connect' }).click();
    await session.page.waitForURL(/outcome=account_mismatch/);
    expect(await session.page.getByTestId('flash').textContent()).toContain('different company');
    const notice = await card(finchHealthy).getByTestId('mismatch').textContent();
    expect(notice).toContain('Account mismatch');
    expect(notice).toContain(before.upstreamParentId);
    expect((await session.app.service.getConnection(finchHealthy)).upstreamId).toBe(before.upstreamId);
    // The service moves the connection back to its problem state: the original connection still needs its sign-in.
    await expect.poll(() => badgeText(finchHealthy)).toBe('Needs sign-in');
    await screenshot(session.page, 'dashboard-mismatch');

    // The other company's connection is live at Finch now (one per customer): after Disconnect, Connect again
    // re-authenticates that one (Finch's 400 connection_already_exists) and says so, instead of failing.
    await card(finchHealthy).getByRole('button', { name: 'Disconnect' }).click();
    await session.page.getByRole('button', { name: 'Disconnect' }).click();
    await session.page.waitForURL(/notice=disconnected/);
    await card(finchHealthy).getByRole('button', { name: 'Connect again' }).click();
    await finchSignIn();
    await session.page.waitForURL(/notice=connected_again_existing/);
    expect(await session.page.getByTestId('flash').textContent()).toContain('already had one');
    const { items } = await session.app.service.listConnections({ hostUserId: 'erin' });
    const successor = items.find((c) => c.previousConnectionId === finchHealthy);
    expect(successor?.state).toBe('connected');
    expect(successor?.upstreamParentId).toBe(notice?.match(/different company \(([^)]+)\)/)?.[1]);
    expect(await badgeText(successor!.id)).toBe('Connected');
  });

  it('an abandoned Argyle MFA step ends with the attempt: back to Needs sign-in, and Reconnect works again', async () => {
    const { argyleOneClick } = seeded();
    await openDashboard();
    await card(argyleOneClick).getByRole('button', { name: 'Reconnect' }).click();
    await session.page.waitForURL(/\/link\?/);
    await session.page.getByRole('button', { name: 'Reconnect' }).click();
    await session.page.getByLabel('Verification code').waitFor();
    // The user closes Link at the MFA step and comes back to the app later.
    await openDashboard();
    expect(await badgeText(argyleOneClick)).toBe('Reconnecting');
    clock.advance(ATTEMPT_LIFETIME_MS - MINUTE);
    await openDashboard();
    expect(await badgeText(argyleOneClick)).toBe('Reconnecting');
    clock.advance(2 * MINUTE);
    await openDashboard();
    expect(await badgeText(argyleOneClick)).toBe('Needs sign-in');
    expect(await historyText(argyleOneClick)).toContain('Reconnect abandoned reconnecting → needs_reauth');
    // Link offers to continue the interrupted connection; the MFA code finishes it.
    await card(argyleOneClick).getByRole('button', { name: 'Reconnect' }).click();
    await session.page.waitForURL(/\/link\?/);
    await session.page.getByRole('button', { name: 'Continue connecting' }).click();
    await session.page.getByLabel('Verification code').fill(ARGYLE_MFA.test_1);
    await session.page.getByRole('button', { name: 'Submit' }).click();
    await session.page.getByRole('link', { name: 'Return to the app' }).click();
    await session.page.waitForURL(/outcome=recovered/);
    expect(await badgeText(argyleOneClick)).toBe('Connected');
  });

  it('a long-lived Finch link shows its deadline live as an early warning; abandoned, it ends with the attempt', async () => {
    // A host whose reconnect links live two days (emailed to the payroll admin, say): Finch reports such a link's
    // deadline as an early warning (`connection.expiring`).
    const lifetime = 2 * 24 * 60 * MINUTE;
    await session.restartApp({ port: 0, clock, stateTtlMs: lifetime, pollIntervalMs: POLL_INTERVAL_MS });
    const { finchReauth } = seeded();
    await openDashboard();
    expect(await card(finchReauth).getByTestId('warning').count()).toBe(0);
    const { action } = await session.app.service.startReconnection(finchReauth);
    const { warning } = await session.app.service.getConnection(finchReauth);
    expect(warning?.code).toBe('connect_link_expiring');
    // The open dashboard shows it without a reload, like a state change.
    const notice = card(finchReauth).getByTestId('warning');
    await expect.poll(() => notice.count()).toBe(1);
    expect(await notice.textContent()).toContain(
      `Reconnect link expires on ${warning!.deadline.replace('T', ' ').slice(0, 19)} UTC.`,
    );
    expect(await notice.textContent()).toContain(warning!.reason);
    expect(await badgeText(finchReauth)).toBe('Reconnecting');
    await screenshot(session.page, 'dashboard-early-warning');
    // The employer opens the link, leaves Connect without signing in, and the link's two days pass.
    await session.page.goto((action as { url: string }).url);
    await session.page.waitForURL(/\/authorize\?/);
    clock.advance(lifetime + MINUTE);
    await openDashboard();
    expect(await badgeText(finchReauth)).toBe('Needs sign-in');
    expect(await card(finchReauth).getByTestId('warning').count()).toBe(0);
    expect(await historyText(finchReauth)).toContain('Reconnect abandoned reconnecting → needs_reauth');
    await card(finchReauth).getByRole('button', { name: 'Reconnect' }).click();
    await finchSignIn();
    await session.page.waitForURL(/outcome=recovered/);
    expect(await badgeText(finchReauth)).toBe('Connected');
  });

  it('a revoked Argyle connection offers Connect again, which links a new account to the old connection', async () => {
    const { argyleHealthy } = seeded();
    await openDashboard();
    await runDemoScenario(argyleHealthy, 'User revokes access');
    expect(await badgeText(argyleHealthy)).toBe('Revoked');
    expect(await card(argyleHealthy).getByRole('button', { name: 'Reconnect' }).count()).toBe(0);
    await screenshot(session.page, 'dashboard-revoked');
    await card(argyleHealthy).getByRole('button', { name: 'Connect again' }).click();
    await session.page.waitForURL(/\/link\?/);
    // Link opens on the payroll item Dave's account used (ADP), not on a picker.
    expect(new URL(session.page.url()).searchParams.get('items')).toBe('item_000001543');
    await session.page.getByLabel('Username').fill('test_3');
    await session.page.getByLabel('Password').fill('passgood');
    await session.page.getByRole('button', { name: 'Log in' }).click();
    await session.page.getByLabel('Verification code').fill(ARGYLE_MFA.test_3);
    await session.page.getByRole('button', { name: 'Submit' }).click();
    await session.page.getByRole('link', { name: 'Return to the app' }).click();
    await session.page.waitForURL(/notice=connected_again/);
    const { items } = await session.app.service.listConnections({ hostUserId: 'dave' });
    const successor = items.find((c) => c.previousConnectionId === argyleHealthy);
    expect(successor?.state).toBe('connected');
    expect(await badgeText(successor!.id)).toBe('Connected');
    // Labelled with the employer Argyle reports for the NEW account, not copied from the old connection.
    const account = (await (
      await fetch(`${session.app.mocks.argyle}/v2/accounts/${successor!.upstreamId}`, {
        headers: { authorization: `Basic ${btoa('argyle-mock-api-key-id:argyle-mock-api-key-secret')}` },
      })
    ).json()) as { employers: string[] };
    expect(await card(successor!.id).getByRole('heading').first().textContent()).toBe(
      `Argyle · ${account.employers[0]}`,
    );
    expect(await badgeText(argyleHealthy)).toBe('Revoked');
  });

  it('Disconnect revokes a Finch connection at Finch; Connect again makes a new one through Connect', async () => {
    const { finchHealthy } = seeded();
    await openDashboard();
    await card(finchHealthy).getByRole('button', { name: 'Disconnect' }).click();
    // A confirmation first: nothing is revoked until it is confirmed.
    await session.page.waitForURL(/\/connections\/.+\/disconnect/);
    expect((await session.app.service.getConnection(finchHealthy)).state).toBe('connected');
    await session.page.getByRole('button', { name: 'Disconnect' }).click();
    await session.page.waitForURL(/notice=disconnected/);
    expect(await badgeText(finchHealthy)).toBe('Disconnected');
    expect(await card(finchHealthy).getByTestId('vendor-code').count()).toBe(0);
    expect(await card(finchHealthy).getByRole('button', { name: 'Reconnect' }).count()).toBe(0);
    await card(finchHealthy).getByRole('button', { name: 'Connect again' }).click();
    await session.page.waitForURL(/\/authorize\?/);
    // Connect opens on the payroll provider Erin's company used (Justworks), not on a provider picker.
    expect(await session.page.getByText(/^Provider:/).textContent()).toMatch(/justworks/i);
    expect(await session.page.locator('select#provider_id').count()).toBe(0);
    await finchSignIn();
    await session.page.waitForURL(/notice=connected_again/);
    const { items } = await session.app.service.listConnections({ hostUserId: 'erin' });
    const successor = items.find((c) => c.previousConnectionId === finchHealthy);
    expect(successor?.state).toBe('connected');
    expect(successor?.upstreamId).not.toBe(
      (await session.app.service.getConnection(finchHealthy)).upstreamId,
    );
    expect(await badgeText(successor!.id)).toBe('Connected');

    // Connect again once more on the old card: Finch's live connection for Erin is the app's own successor, so
    // that one is reconnected (same record, same Finch connection) rather than a third one made.
    await card(finchHealthy).getByRole('button', { name: 'Connect again' }).click();
    await finchSignIn();
    await session.page.waitForURL(/outcome=recovered/);
    expect(new URL(session.page.url()).searchParams.get('connection')).toBe(successor!.id);
    const after = await session.app.service.listConnections({ hostUserId: 'erin' });
    expect(after.items.map((c) => c.id).sort()).toEqual([finchHealthy, successor!.id].sort());
    expect((await session.app.service.getConnection(successor!.id)).upstreamId).toBe(successor!.upstreamId);
    expect(await badgeText(successor!.id)).toBe('Connected');
  });

  it('status changes appear live, without a reload (server-sent events)', async () => {
    const { argyleHealthy } = seeded();
    await openDashboard();
    expect(await badgeText(argyleHealthy)).toBe('Connected');
    const navigations: string[] = [];
    session.page.on('framenavigated', (frame) => navigations.push(frame.url()));
    // The vendor breaks the account on its own; only the webhook tells the host.
    const { upstreamId } = await session.app.service.getConnection(argyleHealthy);
    await fetch(`${session.app.mocks.argyle}/__admin/scenarios/argyle.expired_credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target: upstreamId }),
    });
    await expect.poll(() => badgeText(argyleHealthy), { timeout: 10_000 }).toBe('Needs new credentials');
    // Announced once the whole refresh (the list, then the recent events) is in: a moment after the badge.
    await expect
      .poll(() => session.page.locator('#live-status').textContent(), { timeout: 10_000 })
      .toContain('Needs new credentials');
    expect(navigations).toEqual([]);
  });

  it('falls back to polling when EventSource is unavailable', async () => {
    const { finchHealthy } = seeded();
    await session.page.addInitScript(() => {
      Reflect.deleteProperty(window, 'EventSource');
    });
    await openDashboard('polling');
    expect(await badgeText(finchHealthy)).toBe('Connected');
    const { upstreamId } = await session.app.service.getConnection(finchHealthy);
    await fetch(`${session.app.mocks.finch}/__admin/scenarios/finch.permissions_lost`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target: upstreamId }),
    });
    await expect.poll(() => badgeText(finchHealthy), { timeout: 12_000 }).toBe('Needs new credentials');
  });

  it('Plaid: Reconnect opens hosted Link in update mode; the Sandbox login brings the same Item back', async () => {
    const { plaidLoginRequired } = seeded();
    const before = await session.app.service.getConnection(plaidLoginRequired);
    await session.page.goto(session.app.url);
    expect(await card(plaidLoginRequired).getByTestId('state').textContent()).toBe('Needs sign-in');
    expect(await card(plaidLoginRequired).getByTestId('vendor-code').textContent()).toBe(
      'ITEM_ERROR · ITEM_LOGIN_REQUIRED',
    );
    await card(plaidLoginRequired).getByRole('button', { name: 'Reconnect' }).click();
    await session.page.waitForURL(`${session.app.mocks.plaid}/hosted-link/**`);
    expect(await session.page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Reconnect your account',
    );
    expect(await session.page.locator('body').textContent()).toContain('First Platypus Bank');
    await session.page.getByLabel('Username').fill('user_good');
    await session.page.getByLabel('Password').fill('wrong');
    await session.page.getByRole('button', { name: 'Continue' }).click();
    expect(await session.page.getByRole('alert').textContent()).toContain('INVALID_CREDENTIALS');
    await session.page.getByLabel('Username').fill('user_good');
    await session.page.getByLabel('Password').fill('pass_good');
    await session.page.getByRole('button', { name: 'Continue' }).click();
    await session.page.waitForURL(`${session.app.url}/**`);
    await expect.poll(() => card(plaidLoginRequired).getByTestId('state').textContent()).toBe('Connected');
    expect((await session.app.service.getConnection(plaidLoginRequired)).upstreamId).toBe(before.upstreamId);
  });

  it('Plaid: a PENDING_EXPIRATION shows on the card as an early warning with its deadline', async () => {
    const { plaidHealthy } = seeded();
    await session.page.goto(session.app.url);
    await card(plaidHealthy)
      .getByText(/^Demo: make something happen/)
      .click();
    await card(plaidHealthy).getByRole('button', { name: 'Consent expires in 7 days' }).click();
    await session.page.waitForURL(/notice=scenario/);
    const warning = card(plaidHealthy).getByTestId('warning');
    await expect.poll(() => warning.textContent()).toContain('consent ends on');
    expect(await card(plaidHealthy).getByTestId('state').textContent()).toBe('Connected');
    expect(await card(plaidHealthy).getByRole('button', { name: 'Reconnect' }).count()).toBe(1);
  });
});

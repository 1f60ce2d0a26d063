/**
 * The example host app in a real browser (Debian's Chromium through playwright-core), against the in-process
 * Argyle and Finch mocks: every reconnect path a user clicks through, live status updates, and screenshots of the
 * dashboard's main states for the docs.
 *
 * Screenshots go to the git-ignored `test-results/screenshots/`, so a plain run changes no tracked file. To
 * refresh the ones the docs show, run `UPDATE_SCREENSHOTS=1 npx -y pnpm@10 exec vitest run --project e2e`; it
 * writes `docs/screenshots/` (commit them when the dashboard's look changed).
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningHostApp, startHostApp } from '../../examples/host-app/src/index.js';
import { chromiumAvailable, launchChromium, screenshot } from './browser.test-helpers.js';
import { MovableClock } from './host-clock.test-helpers.js';

const ARGYLE_MFA = { test_1: '8081', test_2: '8082', test_3: '8083' };
const MINUTE = 60_000;
/** Core's default reconnect-attempt lifetime, which the demo keeps. */
const ATTEMPT_LIFETIME_MS = 30 * MINUTE;

describe.skipIf(!chromiumAvailable())('example host app in Chromium', () => {
  let app: RunningHostApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** The host's clock (the mocks keep real time): a test moves it past an attempt's lifetime. */
  let clock: MovableClock;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await context?.close();
    await app?.close();
    await browser?.close();
  });
  // A fresh app (mocks, store, seed) and browser context per test: no test depends on another's clicks.
  beforeEach(async () => {
    await context?.close();
    await app?.close();
    clock = new MovableClock();
    app = await startHostApp({ port: 0, clock });
    context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
  });

  const seeded = () => {
    if (!app.seeded) throw new Error('the host app was started without seed data');
    return app.seeded;
  };
  const card = (connectionId: string): Locator =>
    page.locator(`article[data-connection-id="${connectionId}"]`);
  const badge = (connectionId: string) => card(connectionId).getByTestId('state');
  /** Opens the dashboard and waits until its live updates run (`sse`, or `polling` without EventSource). */
  const openDashboard = async (live: 'sse' | 'polling' = 'sse') => {
    await page.goto(app.url);
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.live)).toBe(live);
  };
  const runDemoScenario = async (connectionId: string, label: string) => {
    await card(connectionId)
      .getByText(/^Demo: make something happen/)
      .click();
    await card(connectionId).getByRole('button', { name: label }).click();
    await page.waitForURL(/notice=scenario/);
  };
  const badgeText = (connectionId: string) => badge(connectionId).textContent();
  const finchSignIn = async () => {
    await page.waitForURL(/\/authorize\?/);
    await page.getByLabel('Username').fill('good_user');
    await page.getByLabel('Password').fill('good_pass');
    await page.getByRole('button', { name: 'Connect' }).click();
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
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('Payroll connections');
    for (const name of ['Alice Martin', 'Bob Nguyen', 'Dave Okafor']) {
      expect(await page.getByRole('heading', { level: 2, name }).count()).toBe(1);
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
    await screenshot(page, 'dashboard-broken');
  });

  it('Argyle one-click: Reconnect opens Link on the account, the Reconnect button + MFA restore it', async () => {
    const { argyleOneClick } = seeded();
    await openDashboard();
    await card(argyleOneClick).getByRole('button', { name: 'Reconnect' }).click();
    await page.waitForURL(/\/link\?/);
    expect(new URL(page.url()).searchParams.get('account_id')).toBeTruthy();
    expect(await page.locator('#connection-status').textContent()).toBe('error');
    await page.getByRole('button', { name: 'Reconnect' }).click();
    await page.getByLabel('Verification code').fill(ARGYLE_MFA.test_1);
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('link', { name: 'Return to the app' }).click();
    await page.waitForURL(/outcome=recovered/);
    expect(await page.getByTestId('flash').textContent()).toContain('is reconnected');
    expect(await badgeText(argyleOneClick)).toBe('Connected');
    await screenshot(page, 'dashboard-recovered');
  });

  it('Argyle credentials: Link asks for the password again (with MFA), then the connection recovers', async () => {
    const { argyleCredentials } = seeded();
    await openDashboard();
    await card(argyleCredentials).getByRole('button', { name: 'Reconnect' }).click();
    await page.waitForURL(/\/link\?/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Log in again');
    expect(await page.getByLabel('Username').inputValue()).toBe('test_2');
    await page.getByLabel('Password').fill('passgood');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByLabel('Verification code').fill(ARGYLE_MFA.test_2);
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('link', { name: 'Return to the app' }).click();
    await page.waitForURL(/outcome=recovered/);
    expect(await badgeText(argyleCredentials)).toBe('Connected');
    expect(await card(argyleCredentials).getByTestId('vendor-code').textContent()).toBe('connected');
  });

  it('Finch: Reconnect goes through the Connect re-auth session and the code exchange, same connection', async () => {
    const { finchReauth } = seeded();
    const before = await app.service.getConnection(finchReauth);
    await openDashboard();
    await card(finchReauth).getByRole('button', { name: 'Reconnect' }).click();
    await page.waitForURL(/\/authorize\?/);
    await page.getByLabel('Username').fill('good_user');
    await page.getByLabel('Password').fill('good_pass');
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.waitForURL(/outcome=recovered/);
    expect(await badgeText(finchReauth)).toBe('Connected');
    const after = await app.service.getConnection(finchReauth);
    expect(after.upstreamId).toBe(before.upstreamId);
    expect(after.upstreamParentId).toBe(before.upstreamParentId);
  });

  it('a Finch re-auth into a different company is flagged on the page and the connection is not switched', async () => {
    const { finchHealthy } = seeded();
    const before = await app.service.getConnection(finchHealthy);
    await openDashboard();
    await runDemoScenario(finchHealthy, 'Next sign-in reaches another company');
    expect(await badgeText(finchHealthy)).toBe('Needs sign-in');
    await card(finchHealthy).getByRole('button', { name: 'Reconnect' }).click();
    await page.waitForURL(/\/authorize\?/);
    await page.getByLabel('Username').fill('good_user');
    await page.getByLabel('Password').fill('good_pass');
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.waitForURL(/outcome=account_mismatch/);
    expect(await page.getByTestId('flash').textContent()).toContain('different company');
    const notice = await card(finchHealthy).getByTestId('mismatch').textContent();
    expect(notice).toContain('Account mismatch');
    expect(notice).toContain(before.upstreamParentId);
    expect((await app.service.getConnection(finchHealthy)).upstreamId).toBe(before.upstreamId);
    // The service moves the connection back to its problem state: the original connection still needs its sign-in.
    await expect.poll(() => badgeText(finchHealthy)).toBe('Needs sign-in');
    await screenshot(page, 'dashboard-mismatch');

    // The other company's connection is live at Finch now (one per customer): after Disconnect, Connect again
    // re-authenticates that one (Finch's 400 connection_already_exists) and says so, instead of failing.
    await card(finchHealthy).getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.waitForURL(/notice=disconnected/);
    await card(finchHealthy).getByRole('button', { name: 'Connect again' }).click();
    await finchSignIn();
    await page.waitForURL(/notice=connected_again_existing/);
    expect(await page.getByTestId('flash').textContent()).toContain('already had one');
    const { items } = await app.service.listConnections({ hostUserId: 'erin' });
    const successor = items.find((c) => c.previousConnectionId === finchHealthy);
    expect(successor?.state).toBe('connected');
    expect(successor?.upstreamParentId).toBe(notice?.match(/different company \(([^)]+)\)/)?.[1]);
    expect(await badgeText(successor!.id)).toBe('Connected');
  });

  it('an abandoned Argyle MFA step ends with the attempt: back to Needs sign-in, and Reconnect works again', async () => {
    const { argyleOneClick } = seeded();
    await openDashboard();
    await card(argyleOneClick).getByRole('button', { name: 'Reconnect' }).click();
    await page.waitForURL(/\/link\?/);
    await page.getByRole('button', { name: 'Reconnect' }).click();
    await page.getByLabel('Verification code').waitFor();
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
    await page.waitForURL(/\/link\?/);
    await page.getByRole('button', { name: 'Continue connecting' }).click();
    await page.getByLabel('Verification code').fill(ARGYLE_MFA.test_1);
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('link', { name: 'Return to the app' }).click();
    await page.waitForURL(/outcome=recovered/);
    expect(await badgeText(argyleOneClick)).toBe('Connected');
  });

  it('a long-lived Finch link shows its deadline live as an early warning; abandoned, it ends with the attempt', async () => {
    // A host whose reconnect links live two days (emailed to the payroll admin, say): Finch reports such a link's
    // deadline as an early warning (`connection.expiring`).
    const lifetime = 2 * 24 * 60 * MINUTE;
    await app.close();
    app = await startHostApp({ port: 0, clock, stateTtlMs: lifetime });
    const { finchReauth } = seeded();
    await openDashboard();
    expect(await card(finchReauth).getByTestId('warning').count()).toBe(0);
    const { action } = await app.service.startReconnection(finchReauth);
    const { warning } = await app.service.getConnection(finchReauth);
    expect(warning?.code).toBe('connect_link_expiring');
    // The open dashboard shows it without a reload, like a state change.
    const notice = card(finchReauth).getByTestId('warning');
    await expect.poll(() => notice.count()).toBe(1);
    expect(await notice.textContent()).toContain(
      `Reconnect link expires on ${warning!.deadline.replace('T', ' ').slice(0, 19)} UTC.`,
    );
    expect(await notice.textContent()).toContain(warning!.reason);
    expect(await badgeText(finchReauth)).toBe('Reconnecting');
    await screenshot(page, 'dashboard-early-warning');
    // The employer opens the link, leaves Connect without signing in, and the link's two days pass.
    await page.goto((action as { url: string }).url);
    await page.waitForURL(/\/authorize\?/);
    clock.advance(lifetime + MINUTE);
    await openDashboard();
    expect(await badgeText(finchReauth)).toBe('Needs sign-in');
    expect(await card(finchReauth).getByTestId('warning').count()).toBe(0);
    expect(await historyText(finchReauth)).toContain('Reconnect abandoned reconnecting → needs_reauth');
    await card(finchReauth).getByRole('button', { name: 'Reconnect' }).click();
    await finchSignIn();
    await page.waitForURL(/outcome=recovered/);
    expect(await badgeText(finchReauth)).toBe('Connected');
  });

  it('a revoked Argyle connection offers Connect again, which links a new account to the old connection', async () => {
    const { argyleHealthy } = seeded();
    await openDashboard();
    await runDemoScenario(argyleHealthy, 'User revokes access');
    expect(await badgeText(argyleHealthy)).toBe('Revoked');
    expect(await card(argyleHealthy).getByRole('button', { name: 'Reconnect' }).count()).toBe(0);
    await screenshot(page, 'dashboard-revoked');
    await card(argyleHealthy).getByRole('button', { name: 'Connect again' }).click();
    await page.waitForURL(/\/link\?/);
    // Link opens on the payroll item Dave's account used (ADP), not on a picker.
    expect(new URL(page.url()).searchParams.get('items')).toBe('item_000001543');
    await page.getByLabel('Username').fill('test_3');
    await page.getByLabel('Password').fill('passgood');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByLabel('Verification code').fill(ARGYLE_MFA.test_3);
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('link', { name: 'Return to the app' }).click();
    await page.waitForURL(/notice=connected_again/);
    const { items } = await app.service.listConnections({ hostUserId: 'dave' });
    const successor = items.find((c) => c.previousConnectionId === argyleHealthy);
    expect(successor?.state).toBe('connected');
    expect(await badgeText(successor!.id)).toBe('Connected');
    // Labelled with the employer Argyle reports for the NEW account, not copied from the old connection.
    const account = (await (
      await fetch(`${app.mocks.argyle}/v2/accounts/${successor!.upstreamId}`, {
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
    await page.waitForURL(/\/connections\/.+\/disconnect/);
    expect((await app.service.getConnection(finchHealthy)).state).toBe('connected');
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.waitForURL(/notice=disconnected/);
    expect(await badgeText(finchHealthy)).toBe('Disconnected');
    expect(await card(finchHealthy).getByTestId('vendor-code').count()).toBe(0);
    expect(await card(finchHealthy).getByRole('button', { name: 'Reconnect' }).count()).toBe(0);
    await card(finchHealthy).getByRole('button', { name: 'Connect again' }).click();
    await page.waitForURL(/\/authorize\?/);
    // Connect opens on the payroll provider Erin's company used (Justworks), not on a provider picker.
    expect(await page.getByText(/^Provider:/).textContent()).toMatch(/justworks/i);
    expect(await page.locator('select#provider_id').count()).toBe(0);
    await finchSignIn();
    await page.waitForURL(/notice=connected_again/);
    const { items } = await app.service.listConnections({ hostUserId: 'erin' });
    const successor = items.find((c) => c.previousConnectionId === finchHealthy);
    expect(successor?.state).toBe('connected');
    expect(successor?.upstreamId).not.toBe((await app.service.getConnection(finchHealthy)).upstreamId);
    expect(await badgeText(successor!.id)).toBe('Connected');

    // Connect again once more on the old card: Finch's live connection for Erin is the app's own successor, so
    // that one is reconnected (same record, same Finch connection) rather than a third one made.
    await card(finchHealthy).getByRole('button', { name: 'Connect again' }).click();
    await finchSignIn();
    await page.waitForURL(/outcome=recovered/);
    expect(new URL(page.url()).searchParams.get('connection')).toBe(successor!.id);
    const after = await app.service.listConnections({ hostUserId: 'erin' });
    expect(after.items.map((c) => c.id).sort()).toEqual([finchHealthy, successor!.id].sort());
    expect((await app.service.getConnection(successor!.id)).upstreamId).toBe(successor!.upstreamId);
    expect(await badgeText(successor!.id)).toBe('Connected');
  });

  it('status changes appear live, without a reload (server-sent events)', async () => {
    const { argyleHealthy } = seeded();
    await openDashboard();
    expect(await badgeText(argyleHealthy)).toBe('Connected');
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));
    // The vendor breaks the account on its own; only the webhook tells the host.
    const { upstreamId } = await app.service.getConnection(argyleHealthy);
    await fetch(`${app.mocks.argyle}/__admin/scenarios/argyle.expired_credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target: upstreamId }),
    });
    await expect.poll(() => badgeText(argyleHealthy), { timeout: 10_000 }).toBe('Needs new credentials');
    // Announced once the whole refresh (the list, then the recent events) is in: a moment after the badge.
    await expect
      .poll(() => page.locator('#live-status').textContent(), { timeout: 10_000 })
      .toContain('Needs new credentials');
    expect(navigations).toEqual([]);
  });

  it('falls back to polling when EventSource is unavailable', async () => {
    const { finchHealthy } = seeded();
    await page.addInitScript(() => {
      Reflect.deleteProperty(window, 'EventSource');
    });
    await openDashboard('polling');
    expect(await badgeText(finchHealthy)).toBe('Connected');
    const { upstreamId } = await app.service.getConnection(finchHealthy);
    await fetch(`${app.mocks.finch}/__admin/scenarios/finch.permissions_lost`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target: upstreamId }),
    });
    await expect.poll(() => badgeText(finchHealthy), { timeout: 12_000 }).toBe('Needs new credentials');
  });
});

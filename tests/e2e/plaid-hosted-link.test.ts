/**
 * Plaid in a real browser (Debian's Chromium through playwright-core): the example host app's Plaid card, the
 * mock's hosted Link page in update mode (the Sandbox credentials it shows), and back to the same Item; then the
 * early warning a PENDING_EXPIRATION puts on the card.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningHostApp, startHostApp } from '../../examples/host-app/src/index.js';
import { chromiumAvailable, launchChromium } from './browser.test-helpers.js';

describe.skipIf(!chromiumAvailable())('Plaid on the example host app in Chromium', () => {
  let app: RunningHostApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await context?.close();
    await app?.close();
    await browser?.close();
  });
  beforeEach(async () => {
    await context?.close();
    await app?.close();
    app = await startHostApp({ port: 0 });
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

  it('Reconnect opens hosted Link in update mode; the Sandbox login brings the same Item back', async () => {
    const { plaidLoginRequired } = seeded();
    const before = await app.service.getConnection(plaidLoginRequired);
    await page.goto(app.url);
    expect(await card(plaidLoginRequired).getByTestId('state').textContent()).toBe('Needs sign-in');
    expect(await card(plaidLoginRequired).getByTestId('vendor-code').textContent()).toBe(
      'ITEM_ERROR · ITEM_LOGIN_REQUIRED',
    );
    await card(plaidLoginRequired).getByRole('button', { name: 'Reconnect' }).click();
    await page.waitForURL(`${app.mocks.plaid}/hosted-link/**`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Reconnect your account');
    expect(await page.locator('body').textContent()).toContain('First Platypus Bank');
    await page.getByLabel('Username').fill('user_good');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('INVALID_CREDENTIALS');
    await page.getByLabel('Username').fill('user_good');
    await page.getByLabel('Password').fill('pass_good');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${app.url}/**`);
    await expect.poll(() => card(plaidLoginRequired).getByTestId('state').textContent()).toBe('Connected');
    expect((await app.service.getConnection(plaidLoginRequired)).upstreamId).toBe(before.upstreamId);
  });

  it('a PENDING_EXPIRATION shows on the card as an early warning with its deadline', async () => {
    const { plaidHealthy } = seeded();
    await page.goto(app.url);
    await card(plaidHealthy)
      .getByText(/^Demo: make something happen/)
      .click();
    await card(plaidHealthy).getByRole('button', { name: 'Consent expires in 7 days' }).click();
    await page.waitForURL(/notice=scenario/);
    const warning = card(plaidHealthy).getByTestId('warning');
    await expect.poll(() => warning.textContent()).toContain('consent ends on');
    expect(await card(plaidHealthy).getByTestId('state').textContent()).toBe('Connected');
    expect(await card(plaidHealthy).getByRole('button', { name: 'Reconnect' }).count()).toBe(1);
  });
});

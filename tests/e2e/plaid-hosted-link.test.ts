/**
 * Plaid in a real browser (Debian's Chromium through playwright-core): the example host app's Plaid card, the
 * mock's hosted Link page in update mode (the Sandbox credentials it shows), and back to the same Item; then the
 * early warning a PENDING_EXPIRATION puts on the card.
 */
import { describe, expect, it } from 'vitest';
import { chromiumAvailable, useHostAppInChromium } from './browser.test-helpers.js';

describe.skipIf(!chromiumAvailable())('Plaid on the example host app in Chromium', () => {
  const session = useHostAppInChromium();
  const { seeded, card } = session;

  it('Reconnect opens hosted Link in update mode; the Sandbox login brings the same Item back', async () => {
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

  it('a PENDING_EXPIRATION shows on the card as an early warning with its deadline', async () => {
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

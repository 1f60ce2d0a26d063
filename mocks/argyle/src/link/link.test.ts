import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import {
  type ArgyleHarness,
  connectThroughLink,
  createUser,
  elementText,
  inputValue,
  startHarness,
} from '../argyle.test-helpers.js';

const harness: ArgyleHarness = await startHarness();
afterAll(() => harness.close());
beforeEach(async () => {
  await harness.admin('POST', '/reset');
  await harness.takeWebhooks();
});

const events = (webhooks: { json: { event: string } }[]) => webhooks.map((webhook) => webhook.json.event);

describe('Link login', () => {
  test('login + MFA creates a connected account: accounts.added, then accounts.connected + accounts.updated', async () => {
    const user = await createUser(harness);
    const opened = await harness.link(`/link?user_token=${encodeURIComponent(user.userToken)}`);
    expect(opened.status).toBe(200);
    expect(opened.html).toContain('<label for="username">Username</label>');
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
    ]);
    const account = await harness.api<{ connection: { status: string }; user: string }>(
      'GET',
      `/v2/accounts/${accountId}`,
    );
    expect(account.body.connection.status).toBe('connected');
    expect(account.body.user).toBe(user.id);
  });
});

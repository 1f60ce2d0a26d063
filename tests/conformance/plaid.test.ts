/** The Plaid adapter against the Plaid mock, through the shared provider conformance suite. */
import { readFileSync } from 'node:fs';
import { DEFAULT_REDIRECT_URI, describeProviderConformance } from '@reconnect-kit/contract-tests';
import type { CallbackParams } from '@reconnect-kit/core';
import {
  PLAID_DEFAULT_CREDENTIALS,
  SANDBOX_PASSWORD,
  SANDBOX_USERNAME,
  startPlaidMock,
} from '@reconnect-kit/mock-plaid';
import { type PlaidConfigInput, PlaidProvider, plaidConfigSchema, registerPlaid } from '@reconnect-kit/plaid';
import { Configuration, PlaidApi } from 'plaid';

const catalogue: unknown = JSON.parse(
  readFileSync(new URL('../../fixtures/scenarios/plaid.json', import.meta.url), 'utf8'),
);

/** The user on hosted Link: open the page, sign in with the Sandbox credentials, follow nothing (read the 302). */
async function userCompletesHostedLink(url: string): Promise<CallbackParams | undefined> {
  const page = await fetch(url);
  if (page.status !== 200) return undefined;
  const action = /<form method="post" action="([^"]+)"/.exec(await page.text())?.[1];
  if (!action) return undefined;
  const done = await fetch(new URL(action, url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: SANDBOX_USERNAME, password: SANDBOX_PASSWORD }).toString(),
    redirect: 'manual',
  });
  const location = done.headers.get('location');
  const state = location ? new URL(location).searchParams.get('state') : null;
  return done.status === 302 && state ? { state } : undefined;
}

describeProviderConformance<PlaidConfigInput>({
  providerId: 'plaid',
  provider({ container, config }) {
    registerPlaid(container, config);
    return container.resolve(PlaidProvider);
  },
  mock: { start: () => startPlaidMock({ port: 0, env: {} }) },
  config: {
    schema: plaidConfigSchema,
    valid: (env) => ({
      clientId: PLAID_DEFAULT_CREDENTIALS.client_id,
      secret: PLAID_DEFAULT_CREDENTIALS.secret,
      baseUrl: env.mockUrl,
      redirectUri: DEFAULT_REDIRECT_URI,
      clientName: 'Reconnect Kit',
      maxRetries: 0,
    }),
  },
  secrets: [PLAID_DEFAULT_CREDENTIALS.secret],
  catalogue,
  hooks: {
    // Plaid sends an Item's webhooks to the URL set on the Item (here at creation, as /sandbox/public_token/create does).
    async seed(env) {
      const { changed } = await env.scenario('plaid.seed_connected', { webhook: env.webhookUrl });
      const { item_id, access_token } = changed as Record<string, string>;
      return { upstreamId: item_id!, secrets: { access_token: access_token! } };
    },
    async completeReconnect(action) {
      if (action.kind !== 'redirect')
        throw new Error(`Plaid reconnects through hosted Link, got a ${action.kind} action`);
      return userCompletesHostedLink(action.url);
    },
    // The host's own SDK call with the Item's access token, as in production.
    callVendorApi: (seeded, env) =>
      new PlaidApi(
        new Configuration({
          basePath: env.mockUrl,
          baseOptions: {
            headers: {
              'PLAID-CLIENT-ID': PLAID_DEFAULT_CREDENTIALS.client_id,
              'PLAID-SECRET': PLAID_DEFAULT_CREDENTIALS.secret,
            },
          },
        }),
      )
        .accountsGet({ access_token: seeded.secrets?.access_token ?? '' })
        .then(
          () => undefined,
          (error: unknown) => error,
        ),
  },
});

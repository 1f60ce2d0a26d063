/** How the shared conformance suite runs the Finch adapter against the Finch mock. */
import { readFileSync } from 'node:fs';
import { DEFAULT_REDIRECT_URI, type ProviderConformanceOptions } from '@reconnect-kit/contract-tests';
import { type FinchConfigInput, FinchProvider, finchConfigSchema, registerFinch } from '@reconnect-kit/finch';
import { FINCH_DEFAULT_CREDENTIALS, startFinchMock } from '@reconnect-kit/mock-finch';
import Finch from '@tryfinch/finch-api';
import { employerLogsIn } from '../contract/finch.test-helpers.js';

const catalogue: unknown = JSON.parse(
  readFileSync(new URL('../../fixtures/scenarios/finch.json', import.meta.url), 'utf8'),
);

export const finchConformance: ProviderConformanceOptions<FinchConfigInput> = {
  providerId: 'finch',
  provider({ container, config }) {
    registerFinch(container, config);
    return container.resolve(FinchProvider);
  },
  // Finch configures webhooks in its dashboard: the mock's --webhook-url is the equivalent.
  mock: { start: ({ webhookUrl }) => startFinchMock({ port: 0, env: {}, webhookUrl }) },
  config: {
    schema: finchConfigSchema,
    valid: (env) => ({
      clientId: FINCH_DEFAULT_CREDENTIALS.client_id,
      clientSecret: FINCH_DEFAULT_CREDENTIALS.client_secret,
      webhookSecret: FINCH_DEFAULT_CREDENTIALS.webhook_secret,
      redirectUri: DEFAULT_REDIRECT_URI,
      baseUrl: env.mockUrl,
      maxRetries: 0,
    }),
  },
  secrets: [FINCH_DEFAULT_CREDENTIALS.client_secret, FINCH_DEFAULT_CREDENTIALS.webhook_secret],
  catalogue,
  hooks: {
    async seed(env) {
      const { changed } = await env.scenario('finch.seed_connected', { provider_id: 'gusto' });
      const { connection_id, company_id, access_token } = changed as Record<string, string>;
      return {
        upstreamId: connection_id!,
        upstreamParentId: company_id,
        secrets: { access_token: access_token! },
      };
    },
    async completeReconnect(action) {
      if (action.kind !== 'redirect')
        throw new Error(`Finch reconnects by redirect, got a ${action.kind} action`);
      const back = await employerLogsIn(action.url);
      const state = back.searchParams.get('state');
      const code = back.searchParams.get('code');
      return state && code ? { state, code } : undefined;
    },
    // The host's own SDK call with the connection's token, as in production.
    callVendorApi: (seeded, env) =>
      new Finch({
        accessToken: seeded.secrets?.access_token ?? '',
        baseURL: env.mockUrl,
        maxRetries: 0,
      }).hris.directory
        .list()
        .then(
          () => undefined,
          (error: unknown) => error,
        ),
  },
};

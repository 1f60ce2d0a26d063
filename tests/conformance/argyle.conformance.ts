/** How the shared conformance suite runs the Argyle adapter against the Argyle mock. */
import { readFileSync } from 'node:fs';
import { type ArgyleConfig, ArgyleProvider, argyleConfigSchema, registerArgyle } from '@reconnect-kit/argyle';
import type { ProviderConformanceOptions } from '@reconnect-kit/contract-tests';
import {
  DEFAULT_ARGYLE_CREDENTIALS,
  SANDBOX_PASSWORD,
  SANDBOX_USERS,
  startArgyleMock,
} from '@reconnect-kit/mock-argyle';
import {
  callbackParams,
  enterMfa,
  hasForm,
  logIn,
  openLink,
  pressReconnect,
  returnUrl,
} from '../contract/argyle.test-helpers.js';

const catalogue: unknown = JSON.parse(
  readFileSync(new URL('../../fixtures/scenarios/argyle.json', import.meta.url), 'utf8'),
);
const WEBHOOK_SECRET = 'argyle-conformance-webhook-secret';
const SANDBOX_USER = SANDBOX_USERS[0]!;
const BASIC = `Basic ${Buffer.from(`${DEFAULT_ARGYLE_CREDENTIALS.api_key_id}:${DEFAULT_ARGYLE_CREDENTIALS.api_key_secret}`).toString('base64')}`;

export const argyleConformance: ProviderConformanceOptions<ArgyleConfig> = {
  providerId: 'argyle',
  provider({ container, config }) {
    registerArgyle(container, config);
    return container.resolve(ArgyleProvider);
  },
  mock: { start: () => startArgyleMock({ port: 0, env: {} }) },
  config: {
    schema: argyleConfigSchema,
    valid: (env) => ({
      apiKeyId: DEFAULT_ARGYLE_CREDENTIALS.api_key_id,
      apiKeySecret: DEFAULT_ARGYLE_CREDENTIALS.api_key_secret,
      baseUrl: `${env.mockUrl}/v2`,
      webhookSecret: WEBHOOK_SECRET,
      linkUrl: `${env.mockUrl}/link`,
    }),
  },
  secrets: [DEFAULT_ARGYLE_CREDENTIALS.api_key_secret, WEBHOOK_SECRET],
  catalogue,
  hooks: {
    // Argyle webhooks come from a subscription, made exactly as docs/providers/argyle.md tells host apps to.
    async connectWebhooks(env) {
      const response = await fetch(`${env.mockUrl}/v2/webhooks`, {
        method: 'POST',
        headers: { authorization: BASIC, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'reconnect-kit-conformance',
          url: env.webhookUrl,
          secret: WEBHOOK_SECRET,
          events: [
            'accounts.added',
            'accounts.connected',
            'accounts.updated',
            'accounts.failed',
            'accounts.removed',
          ],
          config: { include_resource: true },
        }),
      });
      if (!response.ok)
        throw new Error(`POST /v2/webhooks answered ${response.status}: ${await response.text()}`);
    },
    async seed(env) {
      const { changed } = await env.scenario('argyle.seed_connected', { username: SANDBOX_USER.username });
      const { account_id, user_id } = changed as Record<string, string>;
      return { upstreamId: account_id!, upstreamParentId: user_id };
    },
    // The end user in Link: Reconnect (one click) or the login form, then the MFA code, then back to the host.
    async completeReconnect(action) {
      if (action.kind !== 'widget' || !action.url)
        throw new Error(`expected a Link widget action with a URL, got ${action.kind}`);
      const opened = await openLink(action.url);
      let page = hasForm(opened, 'reconnect')
        ? await pressReconnect(opened)
        : await logIn(opened, SANDBOX_USER.username, SANDBOX_PASSWORD);
      if (hasForm(page, 'mfa')) page = await enterMfa(page, SANDBOX_USER.mfaCode);
      return page.html.includes('id="return-link"') ? callbackParams(returnUrl(page)) : undefined;
    },
  },
};

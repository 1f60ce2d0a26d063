/** `/link/token/create` (new mode, update mode with `access_token`, `hosted_link`) and `/link/token/get`. */
import { randomBytes } from 'node:crypto';
import type { RouteDefinition } from '@reconnect-kit/mock-engine';
import { z } from 'zod';
import { newToken, plaidTime } from '../domain/ids.js';
import { institutionOf, itemByAccessToken } from '../domain/items.js';
import type { LinkSession, LinkTokenRecord, PlaidMockState } from '../domain/state.js';
import { apiBody, type Ctx, ok } from '../http/api.js';
import { plaidError } from '../http/plaid-errors.js';

/** Link tokens expire after 4 hours (Plaid's default). */
export const LINK_TOKEN_TTL_MS = 4 * 60 * 60_000;
/** The path of the mock's hosted Link page; `hosted_link_url` is `<mock url>/hosted-link/<id>`. */
export const HOSTED_LINK_PATH = '/hosted-link';

const url = z.url({ protocol: /^https?$/ });

const linkTokenCreateBody = z.object({
  client_name: z.string().min(1).max(30),
  language: z.string().min(2),
  country_codes: z.array(z.string().length(2)).min(1),
  user: z.looseObject({ client_user_id: z.string().min(1) }),
  products: z.array(z.string().min(1)).optional(),
  access_token: z.string().min(1).optional(),
  user_token: z.string().min(1).optional(),
  webhook: url.optional(),
  redirect_uri: url.optional(),
  update: z.looseObject({ account_selection_enabled: z.boolean().optional() }).optional(),
  hosted_link: z.looseObject({ completion_redirect_uri: url.optional() }).optional(),
});

/** A Link session as `/link/token/get` shows it; new mode's public token is in `results.item_add_results`. */
function sessionJson(ctx: Ctx, session: LinkSession) {
  const item = session.itemId === null ? undefined : ctx.state.items.get(session.itemId);
  const itemAdd =
    item && session.publicToken
      ? [
          {
            public_token: session.publicToken,
            accounts: item.accounts.map((account) => ({
              id: account.account_id,
              name: account.name,
              mask: account.mask,
              type: account.type,
              subtype: account.subtype,
            })),
            institution: { name: institutionOf(item).name, institution_id: item.institutionId },
          },
        ]
      : [];
  return {
    link_session_id: session.linkSessionId,
    started_at: plaidTime(session.startedAt),
    finished_at: session.finishedAt ? plaidTime(session.finishedAt) : null,
    results: {
      item_add_results: itemAdd,
      cra_item_add_results: [],
      cra_update_results: [],
      bank_income_results: [],
      payroll_income_results: [],
      document_income_results: null,
    },
  };
}

/** A link token that exists and has not expired, else Plaid's INVALID_LINK_TOKEN. */
export function liveLinkToken(ctx: Ctx, token: string): LinkTokenRecord {
  const record = ctx.state.linkTokens.get(token);
  if (!record || ctx.clock.now() >= record.expiresAt) throw plaidError('INVALID_LINK_TOKEN');
  return record;
}

export const linkRoutes: RouteDefinition<PlaidMockState>[] = [
  {
    method: 'POST',
    path: '/link/token/create',
    handler(req, ctx) {
      const body = apiBody(req, ctx, linkTokenCreateBody);
      const item = body.access_token === undefined ? undefined : itemByAccessToken(ctx, body.access_token);
      if (!item && (body.products ?? []).length === 0) {
        throw plaidError(
          'INVALID_FIELD',
          'products: at least one product is required unless access_token is given (update mode)',
        );
      }
      if (body.user_token !== undefined && !ctx.state.users.has(body.user_token)) {
        throw plaidError('INVALID_USER_TOKEN');
      }
      const now = ctx.clock.now();
      const hostedLinkId = body.hosted_link ? randomBytes(16).toString('hex') : null;
      const record: LinkTokenRecord = {
        linkToken: newToken('link'),
        createdAt: now,
        expiresAt: new Date(now.getTime() + LINK_TOKEN_TTL_MS),
        clientName: body.client_name,
        language: body.language,
        countryCodes: body.country_codes,
        products: item ? item.products : (body.products ?? []),
        webhook: body.webhook ?? null,
        redirectUri: body.redirect_uri ?? null,
        clientUserId: body.user.client_user_id,
        userToken: body.user_token ?? null,
        updateItemId: item?.itemId ?? null,
        accountSelectionEnabled: body.update?.account_selection_enabled === true,
        hostedLinkId,
        completionRedirectUri: body.hosted_link?.completion_redirect_uri ?? null,
        sessions: [],
      };
      ctx.state.linkTokens.set(record.linkToken, record);
      if (hostedLinkId) ctx.state.hostedLinks.set(hostedLinkId, record.linkToken);
      return ok({
        link_token: record.linkToken,
        expiration: plaidTime(record.expiresAt),
        ...(hostedLinkId ? { hosted_link_url: `${req.baseUrl}${HOSTED_LINK_PATH}/${hostedLinkId}` } : {}),
      });
    },
  },
  {
    method: 'POST',
    path: '/link/token/get',
    handler(req, ctx) {
      const { link_token } = apiBody(req, ctx, z.object({ link_token: z.string().min(1) }));
      const record = ctx.state.linkTokens.get(link_token);
      if (!record) throw plaidError('INVALID_LINK_TOKEN');
      return ok({
        link_token: record.linkToken,
        created_at: plaidTime(record.createdAt),
        expiration: plaidTime(record.expiresAt),
        metadata: {
          initial_products: record.products,
          webhook: record.webhook,
          country_codes: record.countryCodes,
          language: record.language,
          redirect_uri: record.redirectUri,
          client_name: record.clientName,
        },
        link_sessions: record.sessions.map((session) => sessionJson(ctx, session)),
      });
    },
  },
];

/** `POST /connect/sessions` and `POST /connect/sessions/reauthenticate` (Basic auth). */
import { z } from 'zod';
import { liveConnectionForCustomer } from '../domain/connections.js';
import { PROVIDER_IDS } from '../domain/providers.js';
import type { ConnectSession } from '../domain/state.js';
import { type ConnectProduct, connectProductsSchema } from '../generated/connect-products.js';
import { finchJson, readBody } from '../http/api.js';
import { authenticateClient } from '../http/auth.js';
import { finchError } from '../http/finch-errors.js';
import { specRoute } from '../http/spec-route.js';

/** Finch's `ConnectProducts`, validated by the fixture schema. */
const connectProduct = z.fromJSONSchema(connectProductsSchema) as z.ZodType<ConnectProduct>;
const MINUTE_MS = 60_000;
/** Spec defaults: 90 days for new sessions, 30 days for re-auth sessions. */
const NEW_SESSION_MINUTES = 129_600;
const REAUTH_SESSION_MINUTES = 43_200;

const products = z.array(connectProduct).min(1);
/** Where Connect sends the browser back; only web URLs. */
const redirectUri = z.url({ protocol: /^https?$/ }).nullish();

const newSessionRequest = z.object({
  customer_id: z.string().min(1).max(255),
  customer_name: z.string().min(1).max(255),
  customer_email: z.email().nullish(),
  products,
  redirect_uri: redirectUri,
  minutes_to_expire: z.number().min(1).max(NEW_SESSION_MINUTES).nullish(),
  sandbox: z.enum(['finch', 'provider']).nullish(),
  manual: z.boolean().nullish(),
  integration: z
    .object({
      provider: z.enum(PROVIDER_IDS),
      auth_method: z.enum(['assisted', 'credential', 'oauth', 'api_token']).nullish(),
    })
    .nullish(),
  recordkeeping: z.object({ recordkeeper: z.string(), plan_id: z.string().nullish() }).nullish(),
});

const reauthSessionRequest = z.object({
  connection_id: z.string().min(1),
  redirect_uri: redirectUri,
  minutes_to_expire: z.number().int().min(1).max(NEW_SESSION_MINUTES).optional(),
  products: products.nullish(),
});

function connectUrl(baseUrl: string, sessionId: string): string {
  return `${baseUrl}/authorize?session=${encodeURIComponent(sessionId)}`;
}

export const connectSessionRoutes = [
  specRoute('post-connect-sessions', (req, ctx) => {
    const clientId = authenticateClient(req, ctx);
    const body = readBody(req, newSessionRequest);
    const existing = liveConnectionForCustomer(ctx.state, clientId, body.customer_id);
    if (existing) {
      throw finchError('connection_already_exists', {
        message: `There's an existing connection for the customer_id: ${body.customer_id}. Please use the /connect/sessions/reauthenticate endpoint instead.`,
        extra: { context: { customer_id: body.customer_id, connection_id: existing.id } },
      });
    }
    const now = ctx.clock.now();
    const session: ConnectSession = {
      id: ctx.newId(),
      kind: 'new',
      clientId,
      customerId: body.customer_id,
      customerName: body.customer_name,
      customerEmail: body.customer_email ?? null,
      products: body.products,
      redirectUri: body.redirect_uri ?? null,
      expiresAt: new Date(now.getTime() + (body.minutes_to_expire ?? NEW_SESSION_MINUTES) * MINUTE_MS),
      connectionId: null,
      providerId: body.integration?.provider ?? null,
      completedAt: null,
    };
    ctx.state.sessions.set(session.id, session);
    return finchJson(201, { session_id: session.id, connect_url: connectUrl(req.baseUrl, session.id) });
  }),

  specRoute('post-connect-sessions-reauthenticate', (req, ctx) => {
    const clientId = authenticateClient(req, ctx);
    const body = readBody(req, reauthSessionRequest);
    const connection = ctx.state.connections.get(body.connection_id);
    if (!connection || connection.clientId !== clientId || connection.status === 'disconnected') {
      throw finchError('connection_not_found');
    }
    const now = ctx.clock.now();
    const session: ConnectSession = {
      id: ctx.newId(),
      kind: 'reauth',
      clientId,
      customerId: connection.customerId,
      customerName: connection.customerName,
      customerEmail: connection.customerEmail,
      products: body.products ?? connection.products,
      redirectUri: body.redirect_uri ?? null,
      expiresAt: new Date(now.getTime() + (body.minutes_to_expire ?? REAUTH_SESSION_MINUTES) * MINUTE_MS),
      connectionId: connection.id,
      providerId: connection.providerId,
      completedAt: null,
    };
    ctx.state.sessions.set(session.id, session);
    return finchJson(201, { session_id: session.id, connect_url: connectUrl(req.baseUrl, session.id) });
  }),
];

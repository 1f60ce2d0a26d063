/** Token exchange, introspection and disconnect: `POST /auth/token`, `GET /introspect`, `POST /disconnect`. */
import { z } from 'zod';
import { issueAccessToken, setConnectionStatus, setEntityStatus } from '../domain/connections.js';
import { providerListing, SANDBOX_PROVIDERS } from '../domain/providers.js';
import type { FinchConnection, FinchConnectionStatus } from '../domain/state.js';
import type { FinchCreateAccessTokenResponse } from '../generated/create-access-token.js';
import type { FinchIntrospection } from '../generated/introspect.js';
import { finchJson, readBody } from '../http/api.js';
import { clientCredentialsValid } from '../http/auth.js';
import { finchError } from '../http/finch-errors.js';
import { specRoute } from '../http/spec-route.js';

const STATUS_MESSAGES: Record<FinchConnectionStatus, string> = {
  connected: 'This employer is working as expected',
  pending: 'This employer has created a token, and we are waiting for access to its provider',
  processing: 'Finch has access to this employer and is pulling its data for the first time',
  reauth: 'This employer must reauthenticate to continue syncing',
  error_permissions: "The admin account's permissions in the provider are insufficient",
  error_no_account_setup: 'This employer has not added Finch as an admin in its provider',
};

const tokenRequest = z.object({
  code: z.string().min(1),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  redirect_uri: z.string().nullish(),
});

function tokenResponse(connection: FinchConnection, accessToken: string): FinchCreateAccessTokenResponse {
  return {
    access_token: accessToken,
    token_type: 'bearer',
    connection_id: connection.id,
    customer_id: connection.customerId,
    customer_name: connection.customerName,
    account_id: connection.accountId,
    client_type: 'sandbox',
    company_id: publicCompanyId(connection),
    connection_type: 'finch',
    products: connection.products,
    provider_id: connection.providerId,
    entity_ids: connection.entities.filter((e) => e.status !== 'disconnected').map((e) => e.id),
  };
}

interface ForwardRequest {
  method: string;
  route: string;
  headers?: Record<string, unknown> | null;
  request_headers?: Record<string, unknown> | null;
  params?: Record<string, unknown> | null;
  data?: string | null;
}

/** A multi-entity connection has no single company: Finch reports `company_id: null` and lists the entities. */
export function publicCompanyId(connection: FinchConnection): string | null {
  return connection.entities.length > 1 ? null : connection.companyId;
}

function introspection(connection: FinchConnection, tokenId: string): FinchIntrospection {
  // Disconnected connections never get here: their tokens answer 401.
  const status = connection.status as FinchConnectionStatus;
  const detail = {
    status,
    message: STATUS_MESSAGES[status],
    last_successful_sync: connection.lastSuccessfulSync?.toISOString() ?? null,
  };
  return {
    id: tokenId,
    connection_id: connection.id,
    connection_status: detail,
    client_id: connection.clientId,
    client_type: 'sandbox',
    connection_type: 'finch',
    company_id: publicCompanyId(connection),
    account_id: connection.accountId,
    customer_id: connection.customerId,
    customer_name: connection.customerName,
    customer_email: connection.customerEmail,
    authentication_methods: [
      { type: connection.authenticationType, connection_status: detail, products: connection.products },
    ],
    products: connection.products,
    username: connection.username,
    provider_id: connection.providerId,
    payroll_provider_id: connection.providerId,
    manual: connection.authenticationType === 'assisted',
    entities: connection.entities.map((entity) => ({
      id: entity.id,
      name: entity.name,
      source_id: entity.sourceId,
      status: entity.status,
    })),
  };
}

export const managementRoutes = [
  specRoute('create-access-token', (req, ctx) => {
    const body = readBody(req, tokenRequest);
    if (!clientCredentialsValid(ctx, body.client_id ?? '', body.client_secret ?? '')) {
      throw finchError('invalid_client_error');
    }
    const now = ctx.clock.now();
    const code = ctx.state.codes.get(body.code);
    if (!code || code.clientId !== body.client_id) throw finchError('invalid_grant');
    if (code.usedAt)
      throw finchError('invalid_grant', { message: 'The authorization code was already used' });
    if (now >= code.expiresAt)
      throw finchError('invalid_grant', { message: 'The authorization code has expired' });
    if ((body.redirect_uri ?? null) !== code.redirectUri) {
      throw finchError('invalid_grant', {
        message: 'redirect_uri does not match the redirect_uri Finch Connect was launched with',
      });
    }
    const connection = ctx.state.connections.get(code.connectionId);
    if (!connection || connection.status === 'disconnected') {
      throw finchError('invalid_grant', { message: 'The connection behind this code was disconnected' });
    }
    code.usedAt = now;
    return finchJson(200, tokenResponse(connection, issueAccessToken(ctx, connection)));
  }),

  specRoute('get-introspect', (_req, _ctx, { bearer }) =>
    finchJson(200, introspection(bearer!.connection, bearer!.token.id)),
  ),

  specRoute('post-disconnect', (_req, ctx, { bearer }) => {
    setConnectionStatus(ctx, bearer!.connection, 'disconnected');
    return finchJson(200, { status: 'success' });
  }),

  specRoute(
    'post-disconnect-entity',
    (_req, ctx, { bearer, body }) => {
      const { connection } = bearer!;
      const ids = (body as { entity_ids: string[] }).entity_ids;
      const unknown = ids.filter(
        (id) => !connection.entities.some((e) => e.id === id && e.status !== 'disconnected'),
      );
      if (unknown.length > 0) {
        return finchJson(400, { errors: unknown.map((entityId) => ({ entityId, error: 'NOT_FOUND' })) });
      }
      for (const entity of connection.entities.filter((e) => ids.includes(e.id))) {
        setEntityStatus(ctx, connection, entity, 'disconnected');
      }
      return finchJson(200, { status: 'success' });
    },
    { invalidInput: () => finchError('entity_ids_invalid') },
  ),

  specRoute('get-providers', () => finchJson(200, SANDBOX_PROVIDERS.map(providerListing))),

  specRoute('post-forward', (_req, _ctx, { body }) => {
    const request = body as ForwardRequest;
    if (!request.route.startsWith('/')) {
      throw finchError('invalid_request', { message: 'route must begin with a forward slash (/)' });
    }
    // There is no provider behind the sandbox: the forwarded call is echoed with an empty 200 from "the provider".
    return finchJson(200, {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      data: '{}',
      request: {
        method: request.method,
        route: request.route,
        headers: request.headers ?? request.request_headers ?? null,
        params: request.params ?? null,
        data: request.data ?? null,
      },
    });
  }),
];

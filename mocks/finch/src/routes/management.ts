/** Token exchange, introspection and disconnect: `POST /auth/token`, `GET /introspect`, `POST /disconnect`. */
import { z } from 'zod';
import { issueAccessToken, setConnectionStatus } from '../domain/connections.js';
import type { FinchConnection, FinchConnectionStatus, FinchState } from '../domain/state.js';
import type { FinchCreateAccessTokenResponse } from '../generated/create-access-token.js';
import type { FinchIntrospection } from '../generated/introspect.js';
import { apiRoute, finchJson, readBody } from '../http/api.js';
import { authenticateToken, clientCredentialsValid } from '../http/auth.js';
import { finchError } from '../http/finch-errors.js';

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
    company_id: connection.companyId,
    connection_type: 'finch',
    products: connection.products,
    provider_id: connection.providerId,
    entity_ids: [connection.entityId],
  };
}

function introspection(connection: FinchConnection, tokenId: string, state: FinchState): FinchIntrospection {
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
    company_id: connection.companyId,
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
    entities: [
      {
        id: connection.entityId,
        name: state.companies.get(connection.companyId)?.legalName ?? null,
        source_id: null,
        status,
      },
    ],
  };
}

export const managementRoutes = [
  apiRoute('POST', '/auth/token', (req, ctx) => {
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

  apiRoute('GET', '/introspect', (req, ctx) => {
    const { token, connection } = authenticateToken(req, ctx);
    return finchJson(200, introspection(connection, token.id, ctx.state));
  }),

  apiRoute('POST', '/disconnect', (req, ctx) => {
    const { connection } = authenticateToken(req, ctx);
    setConnectionStatus(ctx, connection, 'disconnected');
    return finchJson(200, { status: 'success' });
  }),
];

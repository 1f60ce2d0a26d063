/**
 * Finch's two security schemes: `Authorization: Basic base64(client_id:client_secret)` for Connect sessions and
 * sandbox connection creation, `Authorization: Bearer <access_token>` for everything about one connection.
 */
import { type MockContext, type MockRequest, secretsEqual } from '@reconnect-kit/mock-engine';
import type { AccessTokenRecord, FinchConnection, FinchState } from '../domain/state.js';
import { finchError } from './finch-errors.js';

export function clientCredentialsValid(
  ctx: MockContext<FinchState>,
  clientId: string,
  secret: string,
): boolean {
  const { client_id: expectedId = '', client_secret: expectedSecret = '' } = ctx.config.credentials;
  // Both comparisons always run, so timing does not reveal which part was wrong.
  const idOk = secretsEqual(clientId, expectedId);
  const secretOk = secretsEqual(secret, expectedSecret);
  return idOk && secretOk;
}

function authorization(req: MockRequest, scheme: 'Basic' | 'Bearer'): string {
  const header = req.headers.get('authorization');
  if (!header) throw finchError('no_authentication');
  const [given, value] = header.split(' ', 2);
  if (given?.toLowerCase() !== scheme.toLowerCase() || !value) {
    throw finchError(scheme === 'Basic' ? 'invalid_client' : 'invalid_token', {
      message: `This endpoint requires ${scheme} authentication`,
    });
  }
  return value.trim();
}

/** Basic auth with the application's client_id:client_secret. Returns the client id. */
export function authenticateClient(req: MockRequest, ctx: MockContext<FinchState>): string {
  const decoded = Buffer.from(authorization(req, 'Basic'), 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  const clientId = separator < 0 ? decoded : decoded.slice(0, separator);
  const secret = separator < 0 ? '' : decoded.slice(separator + 1);
  if (!clientCredentialsValid(ctx, clientId, secret)) throw finchError('invalid_client');
  return clientId;
}

export interface Bearer {
  token: AccessTokenRecord;
  connection: FinchConnection;
}

/** Bearer auth. Unknown tokens and tokens of disconnected connections answer 401 `invalid_token_error`. */
export function authenticateToken(req: MockRequest, ctx: MockContext<FinchState>): Bearer {
  const token = ctx.state.tokens.get(authorization(req, 'Bearer'));
  const connection = token && ctx.state.connections.get(token.connectionId);
  if (!token || !connection || connection.status === 'disconnected') throw finchError('invalid_token');
  return { token, connection };
}

/**
 * The gate in front of every `/employer/*` data call, in Finch's order: token, product scope, the application
 * rate limit, the connection's status, then the upstream provider.
 */
import type { MockContext, MockRequest } from '@reconnect-kit/mock-engine';
import { companyData } from '../domain/connections.js';
import type { CompanyData } from '../domain/sandbox-data.js';
import type { ConnectionLifecycleStatus, FinchConnection, FinchState } from '../domain/state.js';
import { authenticateToken } from './auth.js';
import { type FinchErrorKind, finchError } from './finch-errors.js';

/** What a data call answers while the connection is in each non-healthy status. */
const STATUS_ANSWERS: Partial<Record<ConnectionLifecycleStatus, FinchErrorKind>> = {
  reauth: 'reauthenticate_user',
  error_permissions: 'insufficient_permissions',
  error_no_account_setup: 'account_setup_required',
  pending: 'authorization_pending',
  processing: 'sync_in_progress',
};

const OUTAGE_ANSWERS: Record<500 | 502 | 503, FinchErrorKind> = {
  500: 'server_error',
  502: 'upstream_provider_error',
  503: 'provider_unavailable',
};

export interface DataAccess {
  connection: FinchConnection;
  data: CompanyData;
}

export function authorizeDataCall(
  req: MockRequest,
  ctx: MockContext<FinchState>,
  product: string,
): DataAccess {
  const { connection } = authenticateToken(req, ctx);
  if (!connection.products.includes(product)) {
    throw finchError('insufficient_scope', {
      message: `The access token does not have access to the ${product} product`,
    });
  }
  const { rateLimit, outage } = connection.faults;
  if (rateLimit) {
    rateLimit.remaining -= 1;
    if (rateLimit.remaining <= 0) delete connection.faults.rateLimit;
    throw finchError('rate_limited', { headers: { 'Retry-After': String(rateLimit.retryAfterSeconds) } });
  }
  const statusAnswer = STATUS_ANSWERS[connection.status];
  if (statusAnswer) throw finchError(statusAnswer);
  if (outage) {
    if (ctx.clock.now() < outage.until) throw finchError(OUTAGE_ANSWERS[outage.status]);
    delete connection.faults.outage;
  }
  const company = ctx.state.companies.get(connection.companyId);
  if (!company) throw finchError('server_error');
  return { connection, data: companyData(company) };
}

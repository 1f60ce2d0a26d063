/**
 * The gate in front of every `/employer/*` data call, in Finch's order (after the token): product scope, the
 * application rate limit, the entity asked for and its status, then the upstream provider.
 */
import type { MockContext } from '@reconnect-kit/mock-engine';
import { companyData } from '../domain/connections.js';
import type { CompanyData } from '../domain/sandbox-data.js';
import type {
  ConnectionLifecycleStatus,
  FinchConnection,
  FinchEntity,
  FinchState,
  SandboxCompany,
} from '../domain/state.js';
import type { Bearer } from './auth.js';
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
  /** The entity whose data is read: `entity_ids` names it, else the connection's first entity. */
  entity: FinchEntity;
  company: SandboxCompany;
  data: CompanyData;
}

function selectEntity(connection: FinchConnection, entityIds: string[] | undefined): FinchEntity {
  const wanted = entityIds?.[0];
  if (wanted === undefined) return connection.entities[0]!;
  const entity = connection.entities.find((e) => e.id === wanted);
  if (!entity || entity.status === 'disconnected') {
    throw finchError('invalid_request', {
      message: `Entity ${wanted} is not connected to this connection`,
    });
  }
  return entity;
}

export function authorizeData(
  ctx: MockContext<FinchState>,
  { connection }: Bearer,
  product: string,
  entityIds?: string[],
): DataAccess {
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
  const entity = selectEntity(connection, entityIds);
  // The connection's status speaks for all entities; a broken entity answers for itself.
  const statusAnswer = STATUS_ANSWERS[connection.status] ?? STATUS_ANSWERS[entity.status];
  if (statusAnswer) throw finchError(statusAnswer);
  if (outage) {
    if (ctx.clock.now() < outage.until) throw finchError(OUTAGE_ANSWERS[outage.status]);
    delete connection.faults.outage;
  }
  const company = ctx.state.companies.get(entity.companyId);
  if (!company) throw finchError('server_error');
  return { connection, entity, company, data: companyData(company) };
}

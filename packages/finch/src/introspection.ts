import {
  type ConnectionProblem,
  type ConnectionSignal,
  ReconnectKitError,
  type VendorStatus,
} from '@reconnect-kit/core';
import { normaliseFinchStatus, signalForFinchStatus } from './status-table.js';

/** The parts of `GET /introspect` the adapter reads (the SDK's type, with `company_id` as the wire may send it). */
export interface FinchIntrospectionFacts {
  readonly connection_status: { readonly status: string; readonly message?: string | null | undefined };
  readonly company_id?: string | null | undefined;
  readonly entities?:
    | readonly { readonly id: string; readonly name?: string | null | undefined; readonly status: string }[]
    | undefined;
}

/** Finch's company id, or undefined: since 2025 Finch may send `company_id: null` (token, introspect, sandbox). */
export function finchCompanyId(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

type Entity = NonNullable<FinchIntrospectionFacts['entities']>[number];
type UserProblemState = Extract<ConnectionProblem['state'], 'needs_reauth' | 'needs_credentials'>;

/**
 * The connection's canonical status from `/introspect`. A problem at the connection level wins. Otherwise the
 * entities decide (multi-entity connections; `disconnected` entities were removed on purpose and do not count):
 * every remaining entity broken → that problem (`needs_credentials` if any entity needs something fixed in the payroll
 * system first, else `needs_reauth`); only some broken → `degraded`, naming them, fixed by re-authenticating.
 */
export function signalForIntrospection(introspection: FinchIntrospectionFacts): ConnectionSignal {
  const { status, message } = introspection.connection_status;
  const signal = signalForFinchStatus({ status, code: null, message: message ?? null });
  if (signal === undefined) {
    throw new ReconnectKitError('upstream_error', {
      message: 'Finch /introspect returned an undocumented connection status.',
      details: { status },
    });
  }
  if (signal.problem !== undefined) return signal;
  const entities = (introspection.entities ?? []).filter(
    (entity) => normaliseFinchStatus(entity.status) !== 'disconnected',
  );
  const broken = entities.flatMap((entity) => {
    const state = userProblemOf(entity.status);
    return state === undefined ? [] : [{ entity, state }];
  });
  if (broken.length === 0) return signal;
  if (broken.length === entities.length) {
    // Permissions or setup must be fixed in the payroll system before a login helps, so they win over reauth.
    const first = broken.find(({ state }) => state === 'needs_credentials') ?? broken[0];
    const every = signalForFinchStatus({
      status: first?.entity.status ?? 'reauth',
      code: null,
      message: `Every entity of the connection is affected: ${names(broken.map(({ entity }) => entity))}.`,
    });
    if (every !== undefined) return every;
  }
  return partialSignal(
    broken.map(({ entity }) => entity),
    status,
  );
}

/**
 * One entity's status from an `account.updated` webhook about an entity that is not the connection's own company
 * (one of several): a problem makes the connection `degraded`, naming the entity; other statuses say nothing about
 * the connection by themselves (the confirming status read decides).
 */
export function signalForEntity(entityId: string, status: string): ConnectionSignal | undefined {
  if (userProblemOf(status) === undefined) return undefined;
  // The connection's own status is not in the event: the vendor status kept is the entity's.
  return partialSignal([{ id: entityId, status }], status);
}

function userProblemOf(status: string): UserProblemState | undefined {
  const state = signalForFinchStatus({ status })?.problem?.state;
  return state === 'needs_reauth' || state === 'needs_credentials' ? state : undefined;
}

/** Some entities lost access: the others keep syncing, and re-authenticating through Connect restores them. */
function partialSignal(broken: readonly Entity[], vendorStatus: string): ConnectionSignal {
  const vendor: VendorStatus = {
    status: vendorStatus,
    code: null,
    message: `Entities needing attention: ${broken.map((entity) => `${entity.id} (${entity.status})`).join(', ')}.`,
  };
  const problem: ConnectionProblem = {
    state: 'degraded',
    vendor,
    fix: 'reenter_credentials',
    reason: `Finch lost access to ${names(broken)} in your payroll system; the rest keeps syncing. Log in again through Finch Connect to restore ${broken.length === 1 ? 'it' : 'them'}.`,
  };
  return { state: 'degraded', vendor, problem };
}

function names(entities: readonly Entity[]): string {
  return entities.map((entity) => entity.name ?? entity.id).join(', ');
}

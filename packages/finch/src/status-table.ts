import type {
  ConnectionProblem,
  ConnectionSignal,
  ConnectionState,
  FixPath,
  VendorStatus,
} from '@reconnect-kit/core';

/** Finch `ConnectionStatus`, plus `disconnected` (entity status and `account.updated` webhooks). */
export const FINCH_CONNECTION_STATUSES = [
  'pending',
  'processing',
  'connected',
  'error_no_account_setup',
  'error_permissions',
  'reauth',
  'disconnected',
] as const;
export type FinchConnectionStatus = (typeof FINCH_CONNECTION_STATUSES)[number];

type ProblemState = ConnectionProblem['state'];

interface HealthyMapping {
  readonly state: Extract<ConnectionState, 'pending' | 'connected'>;
}
interface ProblemMapping {
  readonly state: ProblemState;
  readonly fix: FixPath;
  readonly reason: string;
}

/** The one place Finch statuses meet canonical states. */
export const FINCH_STATUS_TABLE: Readonly<Record<FinchConnectionStatus, HealthyMapping | ProblemMapping>> = {
  pending: { state: 'pending' },
  processing: { state: 'pending' },
  connected: { state: 'connected' },
  reauth: {
    state: 'needs_reauth',
    fix: 'reenter_credentials',
    reason: 'Your payroll system signed Finch out. Log in again through Finch Connect to reconnect.',
  },
  error_no_account_setup: {
    state: 'needs_credentials',
    fix: 'user_action_elsewhere',
    reason:
      'Finch was never added as an admin in your payroll system. Finish that setup there, then reconnect.',
  },
  error_permissions: {
    state: 'needs_credentials',
    fix: 'user_action_elsewhere',
    reason:
      'The admin account Finch uses lacks the permissions it needs. Grant them in your payroll system, then reconnect.',
  },
  disconnected: {
    state: 'revoked',
    fix: 'new_connection',
    reason: 'This payroll connection was disconnected at Finch. Connect your payroll system again.',
  },
};

/** Spellings seen in Finch's prose docs that the API itself does not use. */
const STATUS_ALIASES: Readonly<Record<string, FinchConnectionStatus>> = {
  error_reauth: 'reauth',
  error_no_acount_setup: 'error_no_account_setup',
};

export function normaliseFinchStatus(status: string): FinchConnectionStatus | undefined {
  if ((FINCH_CONNECTION_STATUSES as readonly string[]).includes(status))
    return status as FinchConnectionStatus;
  return STATUS_ALIASES[status];
}

/** The canonical meaning of a Finch status; undefined for a status Finch has not documented. */
export function signalForFinchStatus(vendor: VendorStatus): ConnectionSignal | undefined {
  const status = normaliseFinchStatus(vendor.status);
  if (status === undefined) return undefined;
  const mapping = FINCH_STATUS_TABLE[status];
  if (!('fix' in mapping)) return { state: mapping.state, vendor };
  const problem: ConnectionProblem = {
    state: mapping.state,
    vendor,
    reason: mapping.reason,
    fix: mapping.fix,
  };
  return { state: mapping.state, vendor, problem };
}

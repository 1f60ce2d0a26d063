import type { ConnectionProblem, ConnectionState, FixPath, VendorStatus } from '@reconnect-kit/core';
import type { ConnectionErrorCode, Connection as WireConnection } from './generated/account.js';

type ProblemState = ConnectionProblem['state'];

interface CodeRule {
  readonly state: ProblemState;
  readonly fix: FixPath;
  /** Plain words for the end user. */
  readonly reason: string;
}

const WAIT_PAYROLL: CodeRule = {
  state: 'degraded',
  fix: 'wait',
  reason: 'Your payroll provider is not reachable right now. We will try again later; nothing to do for now.',
};
const WAIT_ARGYLE: CodeRule = {
  state: 'degraded',
  fix: 'wait',
  reason:
    'We could not reach your payroll account because of a problem on our data partner’s side. Nothing to do for now.',
};
const WAIT_LIMIT: CodeRule = {
  state: 'degraded',
  fix: 'wait',
  reason: 'Your payroll site has paused sign-ins for a while. Please try again later.',
};
const RETRY_LOGIN: CodeRule = {
  state: 'needs_credentials',
  fix: 'reenter_credentials',
  reason: 'Signing in to your payroll account did not finish. Please sign in again.',
};
/** The password was accepted and only the second factor failed: Reconnect reuses the login and re-asks MFA. */
const RETRY_MFA: CodeRule = {
  state: 'needs_reauth',
  fix: 'one_click',
  reason:
    'The verification step (code or approval) did not complete. Reconnect and finish it; no password needed.',
};
const MFA_LOCKED: CodeRule = {
  state: 'needs_reauth',
  fix: 'one_click',
  reason: 'Too many verification attempts. Wait a little, then reconnect and finish the verification step.',
};
const CHANGE_METHOD: CodeRule = {
  state: 'needs_credentials',
  fix: 'user_action_elsewhere',
  reason:
    'Your payroll account uses a sign-in or verification method we cannot use. Change it on your payroll site, then reconnect.',
};
const FIX_IDENTIFIER: CodeRule = {
  state: 'needs_credentials',
  fix: 'reenter_credentials',
  reason: 'The employer or login details did not match. Please reconnect and check them.',
};
const UNSUPPORTED: CodeRule = {
  state: 'degraded',
  fix: 'none',
  reason: 'This payroll account type is not supported, so it cannot be kept up to date.',
};
const ALREADY_CONNECTED: CodeRule = {
  state: 'degraded',
  fix: 'none',
  reason: 'This payroll account is already connected elsewhere in your profile.',
};
const CLIENT_PLAN: CodeRule = {
  state: 'degraded',
  fix: 'none',
  reason: 'Payroll updates are paused because of a limit on our side. Nothing to do for now.',
};

/**
 * Every Argyle `connection.error_code` → canonical state, fix path and reason. `satisfies Record<…>` makes a
 * missing or unknown code a compile error. Choices for the [inferred] codes are explained in docs/providers/argyle.md.
 */
export const ERROR_CODE_RULES = {
  auth_required: {
    state: 'needs_reauth',
    fix: 'one_click',
    reason: 'Your payroll site signed you out. Reconnect with one click; no password needed.',
  },
  expired_credentials: {
    state: 'needs_credentials',
    fix: 'reenter_credentials',
    reason:
      'Your payroll password has expired. Reset it on your payroll site, then sign in again with the new one.',
  },
  invalid_credentials: {
    state: 'needs_credentials',
    fix: 'reenter_credentials',
    reason: 'Your payroll username or password is no longer accepted. Please sign in again.',
  },
  invalid_auth: {
    state: 'needs_credentials',
    fix: 'reenter_credentials',
    reason: 'Your payroll username or password is no longer accepted. Please sign in again.',
  },
  full_auth_required: {
    state: 'needs_credentials',
    fix: 'reenter_credentials',
    reason:
      'Your payroll site needs a full sign-in this time. Please sign in again with your username and password.',
  },
  tos_required: {
    state: 'needs_credentials',
    fix: 'user_action_elsewhere',
    reason: 'Your payroll site wants you to accept its terms. Sign in there and accept them, then reconnect.',
  },
  temporary_credentials: {
    state: 'needs_credentials',
    fix: 'user_action_elsewhere',
    reason:
      'You signed in with a temporary password. Set a permanent one on your payroll site, then reconnect.',
  },
  account_incomplete: {
    state: 'needs_credentials',
    fix: 'user_action_elsewhere',
    reason:
      'Your payroll account is not fully set up yet. Finish setting it up on your payroll site, then reconnect.',
  },
  account_nonunique: FIX_IDENTIFIER,
  account_not_found: FIX_IDENTIFIER,
  invalid_employer_identifier: FIX_IDENTIFIER,
  invalid_login_url: FIX_IDENTIFIER,
  invalid_store_identifier: FIX_IDENTIFIER,
  unrecognized_employer_email: FIX_IDENTIFIER,
  invalid_mfa: RETRY_MFA,
  mfa_timeout: RETRY_MFA,
  mfa_cancelled_by_the_user: RETRY_MFA,
  mfa_attempts_exceeded: MFA_LOCKED,
  mfa_exhausted: MFA_LOCKED,
  mfa_not_configured: CHANGE_METHOD,
  physical_mfa_unsupported: CHANGE_METHOD,
  unsupported_mfa_method: CHANGE_METHOD,
  unsupported_auth_type: CHANGE_METHOD,
  invalid_login_method: CHANGE_METHOD,
  login_cancelled_by_the_user: RETRY_LOGIN,
  user_action_timeout: RETRY_LOGIN,
  personal_data_access_not_granted: {
    state: 'needs_credentials',
    fix: 'reenter_credentials',
    reason: 'Access to your payroll data was not granted. Reconnect and allow access to keep it up to date.',
  },
  account_disabled: {
    state: 'degraded',
    fix: 'user_action_elsewhere',
    reason:
      'Your payroll account appears to be suspended or disabled. Contact your employer or payroll provider.',
  },
  known_employer_redirect: {
    state: 'degraded',
    fix: 'new_connection',
    reason: 'Your employer has its own payroll option. Connect again and pick your employer from the list.',
  },
  ongoing_refresh_disabled: {
    state: 'degraded',
    fix: 'none',
    reason: 'Automatic updates for this payroll account were turned off.',
  },
  session_limit_reached: WAIT_LIMIT,
  login_attempts_exceeded: WAIT_LIMIT,
  passkey_limit_reached: WAIT_LIMIT,
  platform_temporarily_unavailable: WAIT_PAYROLL,
  platform_unavailable: WAIT_PAYROLL,
  service_unavailable: WAIT_PAYROLL,
  auth_method_temporarily_unavailable: WAIT_PAYROLL,
  connection_unavailable: WAIT_PAYROLL,
  system_error: WAIT_ARGYLE,
  account_inaccessible: WAIT_ARGYLE,
  all_employers_connected: ALREADY_CONNECTED,
  existing_account_found: ALREADY_CONNECTED,
  invalid_account_type: UNSUPPORTED,
  unsupported_business_account: UNSUPPORTED,
  multi_driver_account: UNSUPPORTED,
  insufficient_account_data: UNSUPPORTED,
  credentials_managed_by_organization: UNSUPPORTED,
  unsupported_language: UNSUPPORTED,
  trial_connections_exhausted: CLIENT_PLAN,
  trial_period_expired: CLIENT_PLAN,
} as const satisfies Record<ConnectionErrorCode, CodeRule>;

/** `status: error` without a code: Argyle always sends one, so treat it as an unexplained, wait-and-see error. */
const ERROR_WITHOUT_CODE: CodeRule = WAIT_ARGYLE;

/** Non-error statuses. `connecting` maps to `pending`; core reads it as `reconnecting` while a reconnect runs. */
const STATUS_STATES = { connected: 'connected', connecting: 'pending' } as const satisfies Record<
  Exclude<WireConnection['status'], 'error'>,
  ConnectionState
>;

export interface MappedConnection {
  readonly state: ConnectionState;
  readonly vendor: VendorStatus;
  readonly problem?: ConnectionProblem | undefined;
}

/** Canonical meaning of an Argyle `connection` object; the raw status, code and message are kept. */
export function mapConnection(
  connection: Pick<WireConnection, 'status' | 'error_code' | 'error_message'>,
): MappedConnection {
  const vendor: VendorStatus = {
    status: connection.status,
    code: connection.error_code,
    message: connection.error_message,
  };
  if (connection.status !== 'error') return { state: STATUS_STATES[connection.status], vendor };
  return withProblem(
    vendor,
    connection.error_code ? ERROR_CODE_RULES[connection.error_code] : ERROR_WITHOUT_CODE,
  );
}

/** Argyle's `accounts.removed`, or a 404 on the account: gone for good, only a new connection helps. */
export function removedAccount(status: 'removed' | 'not_found'): MappedConnection {
  return withProblem(
    { status, code: null, message: null },
    {
      state: 'revoked',
      fix: 'new_connection',
      reason: 'Access to your payroll account was removed. Connect it again to keep your data up to date.',
    },
  );
}

function withProblem(vendor: VendorStatus, rule: CodeRule): MappedConnection {
  return {
    state: rule.state,
    vendor,
    problem: { state: rule.state, vendor, reason: rule.reason, fix: rule.fix },
  };
}

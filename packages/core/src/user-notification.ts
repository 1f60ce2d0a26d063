import type { ReconnectKitOptions } from './options.js';
import type { Connection } from './service-api.js';
import type {
  ConnectionEvent,
  ConnectionState,
  EarlyWarning,
  ReconnectAction,
  UserNotification,
} from './types.js';

const DEFAULT_REASONS: Partial<Record<ConnectionState, string>> = {
  needs_reauth: 'Your payroll connection was signed out. Sign in again to keep it working.',
  needs_credentials: 'Your payroll login changed or expired. Enter your current login to keep it working.',
  revoked: 'Access to your payroll account was removed. Connect it again to continue.',
};

/** Whether the provider's notification policy asks for a ready reconnect action (never for revoked). */
export function wantsAction(options: ReconnectKitOptions['notifications'], connection: Connection): boolean {
  return options.providers[connection.provider]?.includeAction === true && connection.state !== 'revoked';
}

/**
 * The notification for a connection whose user must act (or, with `warning`, will have to by its deadline): plain
 * reason, optional action, and the impact from the service options for the provider, else the provider's own
 * `impact`, else the default.
 */
export function buildUserNotification(
  options: ReconnectKitOptions['notifications'],
  connection: Connection,
  cause: ConnectionEvent['cause'],
  action: ReconnectAction | undefined,
  providerImpact: readonly string[] | undefined,
  warning?: EarlyWarning,
): UserNotification {
  return {
    connection: {
      id: connection.id,
      provider: connection.provider,
      hostUserId: connection.hostUserId,
      upstreamId: connection.upstreamId,
      upstreamParentId: connection.upstreamParentId,
      metadata: connection.metadata,
      state: connection.state,
    },
    reason:
      warning?.reason ??
      connection.problem?.reason ??
      DEFAULT_REASONS[connection.state] ??
      'Your connection needs attention.',
    action,
    impact: options.providers[connection.provider]?.impact ?? providerImpact ?? options.defaultImpact,
    problem: connection.problem,
    cause,
    ...(warning === undefined ? {} : { warning }),
  };
}

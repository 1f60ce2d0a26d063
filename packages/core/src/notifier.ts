import { inject, injectable } from 'tsyringe';
import { type Clock, isoTime } from './clock.js';
import { eventIdFor } from './event-id.js';
import type { Notifier } from './ports.js';
import type { Connection } from './service-api.js';
import type { ConnectionStore, ConnectionStoreOps } from './store/port.js';
import { CLOCK, CONNECTION_STORE } from './tokens.js';
import type { UserNotification } from './types.js';

/**
 * The default notifier: records a `connection.notification` event in the outbox, so the host's event handler
 * sends the email or in-app message. Only the action's kind is recorded: actions carry short-lived tokens
 * that must not sit in the outbox (hosts link to their own reconnect page, which calls `startReconnection`).
 */
@injectable()
export class OutboxNotifier implements Notifier {
  constructor(
    @inject(CONNECTION_STORE) private readonly store: ConnectionStore,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async notify(notification: UserNotification): Promise<void> {
    // One transaction for the read and the append: half the commits of two single-statement calls.
    await this.store.transaction((tx) => this.record(tx, notification));
  }

  /** Whether `record` may run in a transaction of `store` (the service then records inside its own commit). */
  writesTo(store: ConnectionStore): boolean {
    return store === this.store;
  }

  /**
   * Records the notification in a transaction that is already open on this notifier's store, so the state change
   * and its notification commit together (the service uses this when no reconnect action has to be minted).
   * `written`: the connection as the caller just wrote it in `tx`, which spares reading it back.
   */
  async record(tx: ConnectionStoreOps, notification: UserNotification, written?: Connection): Promise<void> {
    const connection = written ?? (await tx.getConnection(notification.connection.id));
    if (!connection) return;
    const now = this.clock.now();
    await tx.appendOutbox(
      [
        {
          id: eventIdFor(connection, 'connection.notification'),
          type: 'connection.notification',
          connectionId: connection.id,
          provider: connection.provider,
          hostUserId: connection.hostUserId,
          to: notification.connection.state,
          vendor: connection.vendor,
          problem: notification.problem,
          occurredAt: isoTime(now),
          cause: notification.cause ?? { kind: 'status_check' },
          data: {
            reason: notification.reason,
            impact: notification.impact,
            actionKind: notification.action?.kind,
            ...(notification.warning === undefined
              ? {}
              : {
                  warning: {
                    code: notification.warning.code,
                    deadline: notification.warning.deadline.toISOString(),
                  },
                }),
          },
        },
      ],
      now,
    );
  }
}

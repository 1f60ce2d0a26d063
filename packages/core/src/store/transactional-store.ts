import type { CompletionOutcome, Connection, ConnectionPage } from '../service-api.js';
import type { ConnectionEvent, ConnectionState } from '../types.js';
import type {
  ConnectionStore,
  ConnectionStoreOps,
  HistoryKind,
  IgnoredSignal,
  IgnoredSignalQuery,
  OpenAttemptQuery,
  OutboxClaim,
  OutboxEntry,
  OutboxQuery,
  ReconnectAttempt,
  ReconnectAttemptEnd,
  SealedSecretRow,
  StoreListQuery,
  SweepClaim,
} from './port.js';

/**
 * Base for stores whose single operations are one-statement transactions: every `ConnectionStoreOps` method
 * called on the store runs as `transaction((tx) => tx.method(...))`, so it is atomic and serialised with the
 * other transactions exactly like a multi-step one.
 */
export abstract class TransactionalStore implements ConnectionStore {
  abstract transaction<T>(fn: (tx: ConnectionStoreOps) => Promise<T>): Promise<T>;
  abstract withConnectionLock<T>(connectionId: string, fn: () => Promise<T>): Promise<T>;
  abstract close(): Promise<void>;

  getConnection(connectionId: string): Promise<Connection | undefined> {
    return this.transaction((tx) => tx.getConnection(connectionId));
  }
  findByUpstream(provider: string, upstreamId: string): Promise<Connection | undefined> {
    return this.transaction((tx) => tx.findByUpstream(provider, upstreamId));
  }
  findLatestByUpstreamParent(
    provider: string,
    upstreamParentId: string,
    states: readonly ConnectionState[],
  ): Promise<Connection | undefined> {
    return this.transaction((tx) => tx.findLatestByUpstreamParent(provider, upstreamParentId, states));
  }
  insertConnection(connection: Connection): Promise<void> {
    return this.transaction((tx) => tx.insertConnection(connection));
  }
  updateConnection(connection: Connection, expectedVersion: number): Promise<void> {
    return this.transaction((tx) => tx.updateConnection(connection, expectedVersion));
  }
  listConnections(query: StoreListQuery): Promise<ConnectionPage> {
    return this.transaction((tx) => tx.listConnections(query));
  }
  recordInboundEvent(provider: string, eventId: string, receivedAt: Date): Promise<boolean> {
    return this.transaction((tx) => tx.recordInboundEvent(provider, eventId, receivedAt));
  }
  recordIgnoredSignal(signal: IgnoredSignal): Promise<void> {
    return this.transaction((tx) => tx.recordIgnoredSignal(signal));
  }
  listIgnoredSignals(query: IgnoredSignalQuery): Promise<readonly IgnoredSignal[]> {
    return this.transaction((tx) => tx.listIgnoredSignals(query));
  }
  appendOutbox(events: readonly ConnectionEvent[], availableAt: Date): Promise<void> {
    return this.transaction((tx) => tx.appendOutbox(events, availableAt));
  }
  pruneHistory(kind: HistoryKind, before: Date, limit: number): Promise<number> {
    return this.transaction((tx) => tx.pruneHistory(kind, before, limit));
  }
  claimOutbox(claim: OutboxClaim): Promise<readonly OutboxEntry[]> {
    return this.transaction((tx) => tx.claimOutbox(claim));
  }
  markOutboxDelivered(eventId: string, owner: string, deliveredAt: Date): Promise<boolean> {
    return this.transaction((tx) => tx.markOutboxDelivered(eventId, owner, deliveredAt));
  }
  markOutboxFailed(
    eventId: string,
    owner: string,
    failure: { readonly nextAttemptAt: Date; readonly error: string },
  ): Promise<boolean> {
    return this.transaction((tx) => tx.markOutboxFailed(eventId, owner, failure));
  }
  claimSweep(claim: SweepClaim): Promise<readonly Connection[]> {
    return this.transaction((tx) => tx.claimSweep(claim));
  }
  finishSweep(connectionId: string, owner: string, nextDueAt: Date): Promise<boolean> {
    return this.transaction((tx) => tx.finishSweep(connectionId, owner, nextDueAt));
  }
  listOutbox(query: OutboxQuery): Promise<readonly OutboxEntry[]> {
    return this.transaction((tx) => tx.listOutbox(query));
  }
  putSecrets(connectionId: string, sealed: string): Promise<void> {
    return this.transaction((tx) => tx.putSecrets(connectionId, sealed));
  }
  getSecrets(connectionId: string): Promise<string | undefined> {
    return this.transaction((tx) => tx.getSecrets(connectionId));
  }
  replaceSecrets(connectionId: string, expected: string, next: string): Promise<boolean> {
    return this.transaction((tx) => tx.replaceSecrets(connectionId, expected, next));
  }
  deleteSecrets(connectionId: string): Promise<void> {
    return this.transaction((tx) => tx.deleteSecrets(connectionId));
  }
  listSecrets(afterConnectionId: string | undefined, limit: number): Promise<readonly SealedSecretRow[]> {
    return this.transaction((tx) => tx.listSecrets(afterConnectionId, limit));
  }
  insertReconnectAttempt(attempt: ReconnectAttempt): Promise<void> {
    return this.transaction((tx) => tx.insertReconnectAttempt(attempt));
  }
  getReconnectAttempt(nonce: string): Promise<ReconnectAttempt | undefined> {
    return this.transaction((tx) => tx.getReconnectAttempt(nonce));
  }
  completeReconnectAttempt(nonce: string, outcome: CompletionOutcome, completedAt: Date): Promise<boolean> {
    return this.transaction((tx) => tx.completeReconnectAttempt(nonce, outcome, completedAt));
  }
  endReconnectAttempt(nonce: string, reason: ReconnectAttemptEnd, endedAt: Date): Promise<boolean> {
    return this.transaction((tx) => tx.endReconnectAttempt(nonce, reason, endedAt));
  }
  supersedeReconnectAttempts(connectionId: string, keepNonce: string, endedAt: Date): Promise<number> {
    return this.transaction((tx) => tx.supersedeReconnectAttempts(connectionId, keepNonce, endedAt));
  }
  listOpenReconnectAttempts(query: OpenAttemptQuery): Promise<readonly ReconnectAttempt[]> {
    return this.transaction((tx) => tx.listOpenReconnectAttempts(query));
  }
}

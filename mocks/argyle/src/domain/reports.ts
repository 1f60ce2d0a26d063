/** Reports: one per request, `generated` at once when the user has a synced account, `waiting_for_sync` otherwise. */
import type { MockContext } from '@reconnect-kit/mock-engine';
import {
  type ArgyleState,
  type ReportRecord,
  type ReportType,
  takeRowKey,
  type UserRecord,
} from './state.js';

export function createReport(
  ctx: MockContext<ArgyleState>,
  user: UserRecord,
  type: ReportType,
  metadata: { [key: string]: unknown },
): ReportRecord {
  const accounts = [...ctx.state.accounts.values()].filter(
    (account) => account.userId === user.id && account.model !== null,
  );
  const report: ReportRecord = {
    id: ctx.newId(),
    rowKey: takeRowKey(ctx.state),
    userId: user.id,
    type,
    createdAt: ctx.clock.now(),
    status: accounts.length > 0 ? 'generated' : 'waiting_for_sync',
    accounts: accounts.map((account) => ({
      id: account.id,
      item: account.itemId,
      lastSyncedAt: account.scannedAt,
    })),
    metadata,
    externalId: user.externalId,
  };
  ctx.state.reports.set(report.id, report);
  return report;
}

/**
 * Payroll verifications (`voie`, `voe`): `PENDING`/`pending` when ordered, `pending`/`user_session_started` once a
 * session link was made, and `COMPLETED`/`completed` with a generated report as soon as the user has a synced
 * account (checked with the mock clock's catch-up, so right after the connect). An update puts a verification back
 * to `PROCESSING`/`authenticated` until the next catch-up regenerates its report.
 */
import type { MockContext } from '@reconnect-kit/mock-engine';
import { createReport } from './reports.js';
import type { ArgyleState, VerificationRecord } from './state.js';

type Ctx = MockContext<ArgyleState>;

function hasSyncedAccount(ctx: Ctx, userId: string): boolean {
  for (const account of ctx.state.accounts.values()) {
    if (account.userId === userId && account.model !== null && account.connection.status === 'connected') {
      return true;
    }
  }
  return false;
}

export function completeVerifications(ctx: Ctx): void {
  for (const verification of ctx.state.verifications.values()) {
    if (verification.state === 'COMPLETED' || !hasSyncedAccount(ctx, verification.userId)) continue;
    const user = ctx.state.users.get(verification.userId);
    if (!user) continue;
    complete(ctx, verification, createReport(ctx, user, verification.reportType, {}).id);
  }
}

function complete(ctx: Ctx, verification: VerificationRecord, reportId: string): void {
  verification.state = 'COMPLETED';
  verification.code = 'completed';
  verification.reportId = reportId;
  verification.updatedAt = ctx.clock.now();
}

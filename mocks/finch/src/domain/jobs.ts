/**
 * Finch jobs on the mock clock. A job is enqueued `pending` and finishes when the mock clock reaches its run
 * time; the engine's `catchUp` settles them before every request and after every admin call, so a clock change
 * (`POST /__admin/clock`) finishes the jobs it passes and fires their webhooks at once. How a data sync ends is the connection's
 * `PUT /sandbox/jobs/configuration`: `reauth_error` turns the connection to `reauth`, `permissions_error` to
 * `error_permissions`, `complete` publishes the staged sandbox edits (data-change webhooks).
 */
import type { MockContext, QueuedWebhook } from '@reconnect-kit/mock-engine';
import { enqueueConnectionEvent } from '../webhooks.js';
import { setConnectionStatus } from './connections.js';
import { publishStagedData } from './data-changes.js';
import type {
  ConnectionLifecycleStatus,
  FinchConnection,
  FinchJob,
  FinchState,
  JobCompletionStatus,
  JobType,
} from './state.js';

type Ctx = MockContext<FinchState>;

/** Mock time an automated job takes from enqueue to completion. */
export const AUTOMATED_JOB_RUN_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Finch: "a fixed window rate limit of 1 forced refresh per hour per connection". */
export const AUTOMATED_REFRESHES_PER_HOUR = 1;
/** Finch Sandbox's own `POST /sandbox/jobs` allowance, per day of mock time. */
export const SANDBOX_REFRESHES_PER_DAY = 10;

const OUTCOME_EFFECTS: Partial<Record<JobCompletionStatus, ConnectionLifecycleStatus>> = {
  reauth_error: 'reauth',
  permissions_error: 'error_permissions',
};

/** The webhook each job type fires when it finishes. */
const COMPLETION_EVENTS: Record<JobType, string> = {
  data_sync_all: 'job.data_sync_all.completed',
  w4_form_employee_sync: 'job.w4_form_employee_sync.completed',
  benefit_create: 'job.benefit_create.completed',
  benefit_register: 'job.benefit_register.completed',
  benefit_update: 'job.benefit_update.completed',
  benefit_enroll: 'job.benefit_enroll.completed',
  benefit_unenroll: 'job.benefit_unenroll.completed',
};

export function jobUrl(baseUrl: string, job: FinchJob): string {
  return `${baseUrl}/jobs/${job.kind}/${job.id}`;
}

export interface NewJob {
  kind: FinchJob['kind'];
  type: JobType;
  params?: FinchJob['params'];
  quota?: FinchJob['quota'];
  runMs?: number;
  results?: unknown[];
  /** Overrides the webhook name (the first syncs of a new connection are `job.initial_data_sync_*.succeeded`). */
  completionEvent?: string;
}

export function enqueueJob(ctx: Ctx, connection: FinchConnection, input: NewJob): FinchJob {
  const now = ctx.clock.now();
  const syncs = input.type === 'data_sync_all' || input.type === 'w4_form_employee_sync';
  const job: FinchJob = {
    id: ctx.newId(),
    connectionId: connection.id,
    kind: input.kind,
    type: input.type,
    params: input.params ?? null,
    outcome: syncs ? connection.jobCompletionStatus : 'complete',
    status: 'pending',
    createdAt: now,
    completesAt: new Date(now.getTime() + (input.runMs ?? AUTOMATED_JOB_RUN_MS)),
    completedAt: null,
    quota: input.quota ?? null,
    results: input.results ?? null,
    completionEvent: input.completionEvent ?? COMPLETION_EVENTS[input.type],
  };
  ctx.state.jobs.set(job.id, job);
  return job;
}

function finish(ctx: Ctx, job: FinchJob): QueuedWebhook[] {
  job.status = job.outcome;
  job.completedAt = job.completesAt;
  const connection = ctx.state.connections.get(job.connectionId);
  if (!connection || connection.status === 'disconnected') return [];
  const webhooks: QueuedWebhook[] = [];
  if (job.type === 'data_sync_all') {
    connection.lastSyncAttempt = {
      at: job.completesAt,
      result: job.outcome === 'complete' ? 'success' : 'error',
    };
  }
  const effect = OUTCOME_EFFECTS[job.outcome];
  if (effect) {
    webhooks.push(...setConnectionStatus(ctx, connection, effect));
  } else if (job.outcome === 'complete') {
    if (job.type === 'data_sync_all') {
      connection.lastSuccessfulSync = job.completesAt;
      for (const entity of connection.entities) {
        const company = ctx.state.companies.get(entity.companyId);
        if (company) webhooks.push(...publishStagedData(ctx, company));
      }
    } else if (job.type === 'w4_form_employee_sync' && job.params) {
      connection.w4Synced.add(job.params.individual_id);
    }
  }
  webhooks.push(
    enqueueConnectionEvent(ctx, connection, job.completionEvent, {
      job_id: job.id,
      job_url: jobUrl(ctx.state.apiBaseUrl, job),
    }),
  );
  return webhooks;
}

/** Finishes every job whose run time the mock clock has reached, oldest first. */
export function settleJobs(ctx: Ctx): QueuedWebhook[] {
  const now = ctx.clock.now().getTime();
  const webhooks: QueuedWebhook[] = [];
  for (const job of ctx.state.jobs.values()) {
    if (job.status === 'pending' && job.completesAt.getTime() <= now) webhooks.push(...finish(ctx, job));
  }
  return webhooks;
}

/** The running data sync of a connection, if any (Finch runs one at a time). */
export function runningDataSync(ctx: Ctx, connection: FinchConnection): FinchJob | undefined {
  for (const job of ctx.state.jobs.values()) {
    if (job.connectionId === connection.id && job.type === 'data_sync_all' && job.status === 'pending') {
      return job;
    }
  }
  return undefined;
}

export interface QuotaState {
  allowed: number;
  remaining: number;
  /** When the next refresh is allowed, if none is left. */
  retryAt: Date | null;
}

export function quotaOf(ctx: Ctx, connection: FinchConnection, quota: 'automated' | 'sandbox'): QuotaState {
  const now = ctx.clock.now().getTime();
  const allowed = quota === 'automated' ? AUTOMATED_REFRESHES_PER_HOUR : SANDBOX_REFRESHES_PER_DAY;
  // automated: fixed clock-hour windows; sandbox: the last 24 hours.
  const windowStart = quota === 'automated' ? Math.floor(now / HOUR_MS) * HOUR_MS : now - DAY_MS;
  const used = [...ctx.state.jobs.values()].filter(
    (j) => j.connectionId === connection.id && j.quota === quota && j.createdAt.getTime() >= windowStart,
  );
  const remaining = Math.max(0, allowed - used.length);
  let retryAt: Date | null = null;
  if (remaining === 0) {
    retryAt =
      quota === 'automated'
        ? new Date(windowStart + HOUR_MS)
        : new Date(Math.min(...used.map((j) => j.createdAt.getTime())) + DAY_MS);
  }
  return { allowed, remaining, retryAt };
}

/**
 * Jobs: `POST|GET /jobs/automated`, `GET /jobs/automated/{id}`, `GET /jobs/manual/{id}` and `POST /sandbox/jobs`.
 * Data syncs run one at a time per connection and count against refresh quotas (Finch: one forced refresh per
 * clock hour; the sandbox verb: ten a day); how they end is `PUT /sandbox/jobs/configuration`.
 */
import type { MockContext } from '@reconnect-kit/mock-engine';
import { enqueueJob, jobUrl, type QuotaState, quotaOf, runningDataSync, settleJobs } from '../domain/jobs.js';
import type { FinchConnection, FinchJob, FinchState } from '../domain/state.js';
import { finchJson } from '../http/api.js';
import type { Bearer } from '../http/auth.js';
import { finchError } from '../http/finch-errors.js';
import { specRoute } from '../http/spec-route.js';
import { pageOf } from './paging.js';

type Ctx = MockContext<FinchState>;

function quotaFields(quota: QuotaState) {
  return {
    allowed_refreshes: quota.allowed,
    remaining_refreshes: quota.remaining,
    ...(quota.retryAt ? { retry_at: quota.retryAt.toISOString() } : {}),
  };
}

function automatedJobBody(baseUrl: string, job: FinchJob) {
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  return {
    job_id: job.id,
    job_url: jobUrl(baseUrl, job),
    type: job.type,
    status: job.status,
    params: job.params,
    created_at: job.createdAt.toISOString(),
    scheduled_at: job.createdAt.toISOString(),
    started_at: job.status === 'pending' ? null : iso(job.createdAt),
    completed_at: iso(job.completedAt),
  };
}

function ownJob(ctx: Ctx, bearer: Bearer, id: string | undefined, kind: FinchJob['kind']): FinchJob {
  const job = id === undefined ? undefined : ctx.state.jobs.get(id);
  if (!job || job.connectionId !== bearer.connection.id || job.kind !== kind) {
    throw finchError('not_found', { message: 'Job not found' });
  }
  return job;
}

/** 202 with the running sync (no refresh used), 429 without quota, else a new job. */
function startDataSync(
  ctx: Ctx,
  baseUrl: string,
  connection: FinchConnection,
  quota: 'automated' | 'sandbox',
) {
  // Only Finch's own endpoint hands back a running sync; the sandbox verb always runs (its spec has no 202).
  const running = quota === 'automated' ? runningDataSync(ctx, connection) : undefined;
  const before = quotaOf(ctx, connection, quota);
  if (running) {
    return finchJson(202, { job_id: running.id, job_url: jobUrl(baseUrl, running), ...quotaFields(before) });
  }
  if (before.remaining === 0) {
    // Finch's spec gives /jobs/automated a 429 body with the quota; the sandbox verb answers its rate-limit error.
    if (quota === 'automated') return finchJson(429, quotaFields(before));
    throw finchError('refresh_quota_exhausted', { extra: quotaFields(before) });
  }
  // Sandbox syncs settle at once (a sandbox has no provider to wait for); automated ones take mock time.
  const job = enqueueJob(ctx, connection, {
    kind: 'automated',
    type: 'data_sync_all',
    quota,
    ...(quota === 'sandbox' ? { runMs: 0 } : {}),
  });
  settleJobs(ctx);
  return finchJson(quota === 'sandbox' ? 200 : 201, {
    job_id: job.id,
    job_url: jobUrl(baseUrl, job),
    ...quotaFields(quotaOf(ctx, connection, quota)),
  });
}

export const jobRoutes = [
  specRoute(
    'post-jobs-automated',
    (req, ctx, { bearer, body }) => {
      const { connection } = bearer!;
      if (connection.authenticationType === 'assisted') {
        throw finchError('automated_jobs_unsupported');
      }
      const request = body as
        | { type: 'data_sync_all' }
        | { type: 'w4_form_employee_sync'; params: { individual_id: string } };
      if (request.type === 'data_sync_all') return startDataSync(ctx, req.baseUrl, connection, 'automated');
      const job = enqueueJob(ctx, connection, {
        kind: 'automated',
        type: 'w4_form_employee_sync',
        params: { individual_id: request.params.individual_id },
      });
      return finchJson(201, {
        job_id: job.id,
        job_url: jobUrl(req.baseUrl, job),
        ...quotaFields(quotaOf(ctx, connection, 'automated')),
      });
    },
    { invalidInput: (message) => finchError('bad_request_legacy', { message }) },
  ),

  specRoute('get-jobs-automated', (req, ctx, { bearer, query }) => {
    const { connection } = bearer!;
    const jobs = [...ctx.state.jobs.values()]
      .filter((j) => j.connectionId === connection.id && j.kind === 'automated')
      .reverse();
    const { items } = pageOf(jobs, query, 100);
    const quota = quotaOf(ctx, connection, 'automated');
    return finchJson(200, {
      meta: {
        quotas: { data_sync_all: { allowed_refreshes: quota.allowed, remaining_refreshes: quota.remaining } },
      },
      data: items.map((job) => automatedJobBody(req.baseUrl, job)),
    });
  }),

  specRoute('get-jobs-job_id', (req, ctx, { bearer }) =>
    finchJson(200, automatedJobBody(req.baseUrl, ownJob(ctx, bearer!, req.params.job_id, 'automated'))),
  ),

  specRoute('get-jobs-manual-job_id', (req, ctx, { bearer }) => {
    const job = ownJob(ctx, bearer!, req.params.job_id, 'manual');
    const status = job.status === 'pending' ? 'pending' : job.status === 'complete' ? 'complete' : 'error';
    return finchJson(200, { job_id: job.id, status, body: status === 'complete' ? job.results : null });
  }),

  specRoute('post-sandbox-job', (req, ctx, { bearer }) =>
    startDataSync(ctx, req.baseUrl, bearer!.connection, 'sandbox'),
  ),
];

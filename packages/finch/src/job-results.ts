import { type ConnectionProblem, ReconnectKitError } from '@reconnect-kit/core';
import { z } from 'zod';
import { automatedJobSchema, type FinchAutomatedJob } from './generated/automated-job.js';
import { type FinchManualJob, manualJobSchema } from './generated/manual-job.js';
import { type FinchConnectionStatus, signalForFinchStatus } from './status-table.js';

/**
 * A Finch job as `GET /jobs/automated/{id}`, `GET /jobs/manual/{id}` (and the SDK's `jobs.*.retrieve`) return it.
 * Only the fields that say something about the connection are read.
 */
export interface FinchJobFacts {
  readonly jobId: string;
  readonly status: string;
  /** Automated jobs name their type (`data_sync_all`, `w4_form_employee_sync`); manual jobs do not. */
  readonly type?: string | undefined;
}

/**
 * Job outcomes that mean the same as a connection status (its row of the status table applies). A job that ended in
 * `error` says nothing about the connection (Finch retries syncs; a later job or a 401 tells), nor do running ones.
 */
const JOB_OUTCOMES: Readonly<Record<string, FinchConnectionStatus>> = {
  reauth_error: 'reauth',
  permissions_error: 'error_permissions',
};

/** Reads a job body (any object with a string `job_id` and `status`); undefined for anything else. */
export function readFinchJob(value: unknown): FinchJobFacts | undefined {
  if (typeof value !== 'object' || value === null || value instanceof Error) return undefined;
  const { job_id: jobId, status, type } = value as Record<string, unknown>;
  if (typeof jobId !== 'string' || jobId === '' || typeof status !== 'string') return undefined;
  return { jobId, status, type: typeof type === 'string' ? type : undefined };
}

/** The problem a finished job reports (`reauth_error` → needs_reauth, `permissions_error` → needs_credentials). */
export function classifyFinchJob(job: FinchJobFacts): ConnectionProblem | undefined {
  const means = JOB_OUTCOMES[job.status];
  if (means === undefined) return undefined;
  const kind = job.type === undefined ? 'job' : `${job.type} job`;
  return signalForFinchStatus({
    status: means,
    code: job.status,
    message: `Finch ${kind} ${job.jobId} ended in ${job.status}.`,
  })?.problem;
}

const JOB_BODIES = {
  automated: z.fromJSONSchema(automatedJobSchema) as z.ZodType<FinchAutomatedJob>,
  manual: z.fromJSONSchema(manualJobSchema) as z.ZodType<FinchManualJob>,
} as const;

/**
 * Validates what `GET /jobs/{kind}/{job_id}` returned against the fixture schema; a body of another shape is an
 * `upstream_error` naming the field, never a guess.
 */
export function parseFinchJobBody(kind: 'automated' | 'manual', body: unknown): FinchJobFacts {
  const parsed = JOB_BODIES[kind].safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ReconnectKitError('upstream_error', {
      message: `Finch GET /jobs/${kind}/{job_id} returned a body that does not match its schema at "${(issue?.path ?? []).join('.') || '(root)'}".`,
      details: { operation: `GET /jobs/${kind}/{job_id}` },
    });
  }
  const job: FinchAutomatedJob | FinchManualJob = parsed.data;
  return { jobId: job.job_id, status: job.status, type: 'type' in job ? job.type : undefined };
}

const JOB_PATH = /\/jobs\/(automated|manual)\/([^/?#]+)\/?$/;

/** Where a `job.*` webhook's `job_url` points: the kind of job and its id (the URL's host is never called). */
export function parseFinchJobUrl(
  jobUrl: string,
): { kind: 'automated' | 'manual'; jobId: string } | undefined {
  let path: string;
  try {
    path = new URL(jobUrl).pathname;
  } catch {
    return undefined;
  }
  const match = JOB_PATH.exec(path);
  if (match === null) return undefined;
  return { kind: match[1] as 'automated' | 'manual', jobId: decodeURIComponent(match[2] as string) };
}

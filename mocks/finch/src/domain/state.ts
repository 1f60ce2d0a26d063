/**
 * The Finch mock's in-memory world: companies with deterministic sandbox data, connections (one per company +
 * provider login), access tokens, Connect sessions, authorization codes and sandbox sync jobs.
 * Recreated by `POST /__admin/reset`.
 */
import type { CompanyData } from './sandbox-data.js';

/** Finch's `ConnectionStatus` enum (spec), plus `disconnected` for connections that are gone for good. */
export const FINCH_CONNECTION_STATUSES = [
  'pending',
  'processing',
  'connected',
  'error_no_account_setup',
  'error_permissions',
  'reauth',
] as const;
export type FinchConnectionStatus = (typeof FINCH_CONNECTION_STATUSES)[number];
export type ConnectionLifecycleStatus = FinchConnectionStatus | 'disconnected';

export const AUTHENTICATION_TYPES = ['api_token', 'assisted', 'credential', 'oauth'] as const;
export type AuthenticationType = (typeof AUTHENTICATION_TYPES)[number];

export const JOB_COMPLETION_STATUSES = ['complete', 'reauth_error', 'permissions_error', 'error'] as const;
export type JobCompletionStatus = (typeof JOB_COMPLETION_STATUSES)[number];
export type JobStatus = 'pending' | 'in_progress' | JobCompletionStatus;

/** Automated jobs (`/jobs/automated`, `/sandbox/jobs`) and manual ones (`/jobs/manual`: deductions writes). */
export type JobType =
  | 'data_sync_all'
  | 'w4_form_employee_sync'
  | 'benefit_create'
  | 'benefit_register'
  | 'benefit_update'
  | 'benefit_enroll'
  | 'benefit_unenroll';

export interface SandboxCompany {
  readonly id: string;
  readonly legalName: string;
  readonly employeeSize: number;
  /** The mock-clock day the company was created; the latest sandbox payment is dated that day. */
  readonly createdOn: string;
  /** Generated lazily from the company id, then kept: the same ids for every token of every connection. */
  data?: CompanyData;
  /**
   * Sandbox data edits (`/sandbox/company|directory|individual|employment|payment`) land here first and reach the
   * API, with data-change webhooks, when the connection's next data sync completes, as in Finch Sandbox.
   */
  staged?: CompanyData;
}

export interface UpstreamFaults {
  /** `finch.rate_limited`: the next `remaining` data calls answer 429 with `Retry-After`. */
  rateLimit?: { remaining: number; retryAfterSeconds: number };
  /** `finch.provider_outage`: data calls fail with a 5xx until the mock clock passes `until`. */
  outage?: { until: Date; status: 500 | 502 | 503 };
}

/** One legal employer a connection reaches; several for a multi-entity connection, each with its own status. */
export interface FinchEntity {
  readonly id: string;
  /** The sandbox company holding this entity's data. */
  readonly companyId: string;
  readonly name: string;
  readonly sourceId: string | null;
  status: ConnectionLifecycleStatus;
}

export interface FinchConnection {
  readonly id: string;
  /** The first entity's company (webhooks' `company_id`); `/introspect` reports null for a multi-entity connection. */
  readonly companyId: string;
  /** Deprecated by Finch but still sent (webhooks, token exchange): one account per connection here. */
  readonly accountId: string;
  /** The first entity's id. */
  readonly entityId: string;
  /** Never empty; `entities[0]` is the entity of `entityId`/`companyId`. */
  entities: FinchEntity[];
  readonly clientId: string;
  readonly providerId: string;
  readonly authenticationType: AuthenticationType;
  products: string[];
  status: ConnectionLifecycleStatus;
  lastSuccessfulSync: Date | null;
  readonly customerId: string | null;
  readonly customerName: string | null;
  readonly customerEmail: string | null;
  /** The sandbox login (e.g. `good_user`) that made the connection; legacy Connect re-auth resolves by it. */
  readonly username: string | null;
  /** `finch.reauth_different_company`: the next Connect login for this connection lands in a new company. */
  nextLoginLandsElsewhere: boolean;
  faults: UpstreamFaults;
  jobCompletionStatus: JobCompletionStatus;
  /** The last data sync that ended, successful or not (`Finch-Last-Attempted-Update-*` headers). */
  lastSyncAttempt: { at: Date; result: 'success' | 'error' } | null;
  /** Individuals whose W-4 a `w4_form_employee_sync` job has fetched (`/employer/documents` lists only these). */
  w4Synced: Set<string>;
  readonly createdAt: Date;
}

export interface AccessTokenRecord {
  /** The id `/introspect` reports (never the token itself). */
  readonly id: string;
  readonly connectionId: string;
  readonly createdAt: Date;
}

export interface ConnectSession {
  readonly id: string;
  readonly kind: 'new' | 'reauth';
  readonly clientId: string;
  readonly customerId: string | null;
  readonly customerName: string | null;
  readonly customerEmail: string | null;
  readonly products: string[];
  readonly redirectUri: string | null;
  readonly expiresAt: Date;
  /** Re-auth sessions: the connection being repaired. */
  readonly connectionId: string | null;
  /** A fixed provider (re-auth, or `integration.provider`); otherwise the page shows a picker. */
  readonly providerId: string | null;
  completedAt: Date | null;
}

export interface AuthorizationCode {
  readonly clientId: string;
  readonly connectionId: string;
  /** The redirect_uri Connect was launched with (null for the embedded flow); the exchange must repeat it. */
  readonly redirectUri: string | null;
  readonly expiresAt: Date;
  usedAt: Date | null;
}

/** A login that passed the password step and waits for its MFA code. */
export interface MfaChallenge {
  readonly providerId: string;
  readonly username: string;
  readonly expiresAt: Date;
}

export interface FinchJob {
  readonly id: string;
  readonly connectionId: string;
  readonly kind: 'automated' | 'manual';
  readonly type: JobType;
  readonly params: { individual_id: string } | null;
  /** How the job ends, fixed when it is enqueued (`PUT /sandbox/jobs/configuration`). */
  readonly outcome: JobCompletionStatus;
  status: JobStatus;
  readonly createdAt: Date;
  /** Mock-clock instant at which the job finishes. */
  readonly completesAt: Date;
  completedAt: Date | null;
  /** `POST /sandbox/jobs` jobs count against the sandbox quota, `POST /jobs/automated` ones against Finch's. */
  readonly quota: 'sandbox' | 'automated' | null;
  /** Manual jobs: per-item results once complete. */
  readonly results: unknown[] | null;
  /** The webhook fired when it finishes, e.g. `job.data_sync_all.completed`. */
  readonly completionEvent: string;
}

/** A pay statement item rule (`/employer/pay-statement-item/rule`). */
export interface PayStatementItemRule {
  readonly id: string;
  priority: number;
  effective_start_date: string | null;
  effective_end_date: string | null;
  conditions: { field?: string; operator?: 'equals'; value?: string }[];
  attributes: { metadata?: Record<string, unknown> };
  entity_type: 'pay_statement_item';
  readonly created_at: string;
  updated_at: string;
}

export interface FinchState {
  companies: Map<string, SandboxCompany>;
  connections: Map<string, FinchConnection>;
  /** Keyed by the token value. */
  tokens: Map<string, AccessTokenRecord>;
  sessions: Map<string, ConnectSession>;
  /** Keyed by the code value. */
  codes: Map<string, AuthorizationCode>;
  mfaChallenges: Map<string, MfaChallenge>;
  jobs: Map<string, FinchJob>;
  /** Keyed by company id (rules belong to the employer, not to one token). */
  rules: Map<string, PayStatementItemRule[]>;
  /** The API's base URL as last requested (job_url in webhooks); Finch's own host before any request. */
  apiBaseUrl: string;
}

export function createFinchState(): FinchState {
  return {
    companies: new Map(),
    connections: new Map(),
    tokens: new Map(),
    sessions: new Map(),
    codes: new Map(),
    mfaChallenges: new Map(),
    jobs: new Map(),
    rules: new Map(),
    apiBaseUrl: 'https://api.tryfinch.com',
  };
}

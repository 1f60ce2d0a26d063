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

export interface SandboxCompany {
  readonly id: string;
  readonly legalName: string;
  readonly employeeSize: number;
  /** The mock-clock day the company was created; the latest sandbox payment is dated that day. */
  readonly createdOn: string;
  /** Generated lazily from the company id, then kept: the same ids for every token of every connection. */
  data?: CompanyData;
}

export interface UpstreamFaults {
  /** `finch.rate_limited`: the next `remaining` data calls answer 429 with `Retry-After`. */
  rateLimit?: { remaining: number; retryAfterSeconds: number };
  /** `finch.provider_outage`: data calls fail with a 5xx until the mock clock passes `until`. */
  outage?: { until: Date; status: 500 | 502 | 503 };
}

export interface FinchConnection {
  readonly id: string;
  readonly companyId: string;
  /** Deprecated by Finch but still sent (webhooks, token exchange): one account per connection here. */
  readonly accountId: string;
  readonly entityId: string;
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

export interface SandboxJob {
  readonly id: string;
  readonly connectionId: string;
  readonly type: 'data_sync_all';
  readonly status: JobCompletionStatus;
  readonly createdAt: Date;
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
  jobs: Map<string, SandboxJob>;
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
  };
}

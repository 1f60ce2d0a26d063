/**
 * The shared contract of Reconnect Kit: what a provider adapter implements and what the service, stores and
 * routers exchange. Adapters depend on these types only; they never import each other.
 */

/** Canonical connection states. Every adapter maps its vendor's states onto these and keeps the raw vendor status. */
export const CONNECTION_STATES = [
  'pending',
  'connected',
  'needs_reauth',
  'needs_credentials',
  'reconnecting',
  'degraded',
  'revoked',
  'disconnected',
] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

/** States from which no reconnect is possible: a new upstream connection is needed. */
export const TERMINAL_STATES: readonly ConnectionState[] = ['revoked', 'disconnected'];

/** Event types the service emits for applied transitions (plus the notification record). */
export const CONNECTION_EVENT_TYPES = [
  'connection.broken',
  'connection.reconnect_started',
  'connection.recovered',
  'connection.degraded',
  'connection.revoked',
  'connection.disconnected',
  'connection.state_changed',
  'connection.account_mismatch',
  'connection.reconnect_abandoned',
  'connection.notification',
  'connection.expiring',
  /** A completion the vendor did not confirm as the connection's own; the connection was left as it was. */
  'connection.reconnect_failed',
  /**
   * A new upstream connection appeared after this (terminal) one, but nothing names its host user (a shared parent
   * such as a Finch company): it is not attached. `data` holds its upstream ids; attach it from your own flow
   * (`registerConnection`) or ignore it.
   */
  'connection.successor_unassigned',
] as const;
export type ConnectionEventType = (typeof CONNECTION_EVENT_TYPES)[number];

/** The vendor's own words for a connection's status, kept verbatim beside the canonical state. */
export interface VendorStatus {
  /** e.g. Argyle `connection.status` (`error`), Finch `connection_status.status` (`reauth`). */
  readonly status: string;
  /** e.g. Argyle `error_code` (`auth_required`), Finch `finch_code` (`reauthenticate_user`). */
  readonly code?: string | null;
  readonly message?: string | null;
}

/** How the end user (or nobody) can fix a problem. */
export type FixPath =
  | 'one_click' // reconnect without credentials (Argyle auth_required)
  | 'reenter_credentials' // the user logs in again (Argyle expired_credentials, Finch reauth)
  | 'wait' // provider-side or transient; retry later
  | 'user_action_elsewhere' // e.g. reset the password or fix permissions on the payroll site, then reconnect
  | 'new_connection' // terminal: only a brand-new connection helps
  | 'none'; // nothing can be done (unsupported account, trial exhausted)

/** A classified problem with a connection, produced by adapters from webhooks, status reads or API errors. */
export interface ConnectionProblem {
  /** The canonical state this problem puts the connection in. */
  readonly state: Exclude<ConnectionState, 'pending' | 'connected' | 'reconnecting'>;
  readonly vendor: VendorStatus;
  /** Plain words for the end user, e.g. "Your payroll site signed you out." */
  readonly reason: string;
  readonly fix: FixPath;
  /** When the vendor said how long to wait (429/503 Retry-After). */
  readonly retryAfterMs?: number;
}

/**
 * An early warning: a deadline after which the connection (or the reconnect link its user holds) stops working
 * unless someone acts, reported before it happens (Plaid `PENDING_EXPIRATION`, a Finch Connect session that
 * expires). Not a state: the connection keeps its state, and the service emits one `connection.expiring` per
 * episode (see `Connection.warning`).
 */
export interface EarlyWarning {
  /** The provider's stable name for the kind of deadline, e.g. `consent_expiring`, `connect_link_expiring`. */
  readonly code: string;
  readonly deadline: Date;
  /** Plain words for the end user, e.g. "Your reconnect link expires on 7 January." */
  readonly reason: string;
  readonly vendor?: VendorStatus | undefined;
}

/** What a provider can do. The conformance suite runs only the scenarios a provider's capabilities cover. */
export interface ProviderCapabilities {
  /** Detects problems from signed webhooks. */
  readonly webhooks: boolean;
  /** `fetchStatus` reads the live status from the vendor. */
  readonly statusPolling: boolean;
  /** `classifyError` recognises the vendor's "user must re-authenticate" API errors. */
  readonly errorClassification: boolean;
  /** A reconnect that needs no credentials (Argyle Reconnect button). */
  readonly oneClickReconnect: boolean;
  /** A reconnect through a redirect + code exchange (Finch Connect). */
  readonly redirectReconnect: boolean;
  /** Invite-based users are sent the original invite again (never a new one). */
  readonly inviteResend: boolean;
  /** `revoke` disconnects upstream. */
  readonly revocation: boolean;
  /**
   * `upstreamParentId` names a vendor object the host created for exactly one of its users (an Argyle user), so a
   * new upstream connection under a revoked connection's parent is that user's successor. Absent or false when the
   * parent is shared by many host users (a Finch company): such a successor is recorded unassigned.
   */
  readonly parentIsHostUser?: boolean | undefined;
}

/** A stored connection as the service hands it to a provider: identity plus decrypted secrets, in memory only. */
export interface ConnectionRef {
  /** Our id for the connection. */
  readonly id: string;
  readonly provider: string;
  /** The host application's end user who owns this connection. */
  readonly hostUserId: string;
  /** The vendor's id of the connection: Argyle account id, Finch connection id. */
  readonly upstreamId: string;
  /** The vendor's owning id: Argyle user id, Finch company id. A reconnect landing on another one is a mismatch. */
  readonly upstreamParentId?: string | undefined;
  /** Non-secret provider data (Argyle invite id or shareable URL, Finch provider id, ...). */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface ProviderConnection extends ConnectionRef {
  /** Decrypted secrets (e.g. Finch access token). Never logged, never serialised. */
  readonly secrets: Readonly<Record<string, string>>;
}

/** A webhook whose signature checked out. `body` is the parsed JSON (after verification, never before). */
export interface VerifiedWebhook {
  readonly provider: string;
  readonly rawBody: Uint8Array;
  readonly headers: Headers;
  readonly body: unknown;
  /** The vendor's delivery/event id where it sends one (Finch-Event-Id); Argyle sends none. */
  readonly vendorEventId?: string | undefined;
  readonly receivedAt: Date;
}

/** What a vendor event means for a connection. `signal` undefined: recorded, not applied (unknown/informational). */
export interface ProviderEvent {
  /** Stable id used for dedupe: the vendor's event id, or a digest of the raw body when the vendor sends none. */
  readonly eventId: string;
  readonly provider: string;
  /** Raw vendor event type, e.g. `accounts.updated`, `account.updated`. */
  readonly vendorType: string;
  /** Which upstream connection this is about. */
  readonly upstreamId: string;
  readonly upstreamParentId?: string | undefined;
  /** Vendor time of the change; used to ignore stale (out-of-order) signals. */
  readonly occurredAt: Date;
  readonly signal?: ConnectionSignal | undefined;
  /**
   * `status_check`: the webhook is only a hint (its payload may be stale, or carries no state), so after the
   * ingest commits the service re-reads the connection's status with `checkStatus` (option `confirmWebhooks`).
   */
  readonly confirm?: 'status_check' | undefined;
  /** With `confirm`: the vendor resource the webhook names, handed to `fetchStatus` as `hint.ref` (e.g. a job URL). */
  readonly confirmRef?: string | undefined;
  /** A deadline the vendor announces (with or without a `signal`): see `EarlyWarning`. */
  readonly warning?: EarlyWarning | undefined;
  /** The part of the upstream connection the event is about, when the vendor names one (a Finch entity id). */
  readonly part?: string | undefined;
}

/** What a status read may look at besides the connection itself. */
export interface StatusHint {
  /** A vendor reference taken from a webhook (`ProviderEvent.confirmRef`); the provider validates it. */
  readonly ref?: string | undefined;
}

/** The canonical meaning of a vendor signal. */
export interface ConnectionSignal {
  readonly state: ConnectionState;
  readonly vendor: VendorStatus;
  /** Present when `state` is a problem state. */
  readonly problem?: ConnectionProblem | undefined;
}

/** Live status read from the vendor (`fetchStatus`). */
export interface ProviderStatus {
  readonly state: ConnectionState;
  readonly vendor: VendorStatus;
  readonly problem?: ConnectionProblem | undefined;
  readonly upstreamParentId?: string | undefined;
  readonly checkedAt: Date;
  /** A deadline the vendor reports (see `EarlyWarning`); `null`: the read shows none (an earlier one is over). */
  readonly warning?: EarlyWarning | null | undefined;
}

export interface StartContext {
  /** The signed, expiring `state` the service minted for this attempt; providers pass it through the vendor flow. */
  readonly state: string;
  readonly expiresAt: Date;
  /** Where the user lands after the vendor flow (the host's callback route). */
  readonly redirectUri?: string | undefined;
  readonly now: Date;
}

/** A value in a widget action's `config`: JSON scalars, so the config reaches the front end unchanged. */
export type WidgetConfigValue = string | number | boolean;

/**
 * What the host must do to send the user back through the vendor's own reconnect flow. The kinds name what the
 * host does, never a vendor: whatever a vendor's flow needs travels in provider-defined fields (`widget.config`).
 */
export type ReconnectAction = (
  | {
      /**
       * Open the vendor's widget in the host's page (Argyle Link, Plaid Link in update mode, …). `config` is what
       * the provider's front-end SDK needs, keyed as the provider documents it (Argyle: `userToken`,
       * `accountId`); core never reads it, so pass it through unchanged.
       */
      readonly kind: 'widget';
      /** The provider id, so the front end knows which vendor's widget to open. */
      readonly provider: string;
      readonly config: Readonly<Record<string, WidgetConfigValue>>;
      /** What the user will be asked to do, when the provider can tell: confirm (`one_click`) or sign in again. */
      readonly mode?: 'one_click' | 'reenter_credentials' | undefined;
      /** A page hosting the widget (a vendor-hosted link, the mock's Link page), when the provider knows one. */
      readonly url?: string | undefined;
      readonly state: string;
      readonly expiresAt: Date;
    }
  /** Send the browser to the vendor's flow (Finch Connect, a vendor-hosted Link URL); it returns to the callback. */
  | { readonly kind: 'redirect'; readonly url: string; readonly state: string; readonly expiresAt: Date }
  /** The vendor re-sent the user's original invitation (never a new one); `url` is its link, when returned. */
  | { readonly kind: 'resend_invite'; readonly inviteId: string; readonly url?: string | undefined }
) & {
  /**
   * A link the user may open much later (e.g. from an email) whose deadline the host should watch: the service
   * emits it as `connection.expiring` (see `EarlyWarning`).
   */
  readonly warning?: EarlyWarning | undefined;
};

/** Parameters that come back from the vendor flow (query string of the callback, or Link callback payload). */
export interface CallbackParams {
  readonly state: string;
  readonly code?: string | undefined;
  readonly [key: string]: string | undefined;
}

/** What the provider got back from the vendor on completion. The service decides recovered vs mismatch. */
export type ReconnectResult =
  | {
      readonly outcome: 'completed';
      readonly upstreamId: string;
      readonly upstreamParentId?: string | undefined;
      /** New secrets to store encrypted (e.g. the new Finch access token). */
      readonly secrets?: Readonly<Record<string, string>> | undefined;
      readonly vendor: VendorStatus;
      readonly state: ConnectionState;
      /** New non-secret metadata to merge. */
      readonly metadata?: Readonly<Record<string, string>> | undefined;
    }
  | {
      /** The vendor confirms asynchronously (Argyle: `accounts.connected` webhook). */
      readonly outcome: 'pending';
    }
  | { readonly outcome: 'failed'; readonly problem: ConnectionProblem }
  | {
      /**
       * The vendor does not confirm what the callback claimed (an unknown account, or one that is not the
       * connection's own): a failed attempt that leaves the connection as it was, still reconnectable.
       */
      readonly outcome: 'unconfirmed';
    };

/** A provider adapter. One per vendor; resolved by the service with `@injectAll(RECONNECTION_PROVIDER)`. */
export interface ReconnectionProvider {
  readonly id: string;
  readonly capabilities: ProviderCapabilities;
  /**
   * What stops working until the user reconnects, for notifications. Used when the service options set no
   * `notifications.providers.<id>.impact`; without either, `notifications.defaultImpact` applies.
   */
  readonly impact?: readonly string[] | undefined;
  /**
   * Checks the signature over the exact raw bytes in constant time. Throws (or rejects with) ReconnectKitError
   * (webhook_*). May be async: asymmetric schemes fetch the vendor's public key by id (and cache it).
   */
  verifyWebhook(rawBody: Uint8Array, headers: Headers, now: Date): VerifiedWebhook | Promise<VerifiedWebhook>;
  /** Normalises a verified webhook into events; validates the payload (throws `webhook_payload_invalid`). */
  parseWebhook(webhook: VerifiedWebhook): ProviderEvent[];
  /**
   * Optional: what an event means for the stored connection it is about, when the body alone cannot tell (a Finch
   * entity's status is the connection's only if the entity is the connection's own company). Returns the signal to
   * apply instead of `event.signal` (undefined: none; the event is then recorded, not applied).
   */
  signalFor?(event: ProviderEvent, connection: ConnectionRef): ConnectionSignal | undefined;
  /** Recognises an error thrown by a vendor API call (SDK error or raw Response). */
  classifyError(error: unknown): ConnectionProblem | undefined;
  /** Reads the live status; `hint` carries what a hint-only webhook named (`ProviderEvent.confirmRef`). */
  fetchStatus(connection: ProviderConnection, hint?: StatusHint): Promise<ProviderStatus>;
  startReconnection(connection: ProviderConnection, ctx: StartContext): Promise<ReconnectAction>;
  completeReconnection(connection: ProviderConnection, callback: CallbackParams): Promise<ReconnectResult>;
  revoke(connection: ProviderConnection): Promise<void>;
}

/** An event the service emits (written to the outbox in the same transaction as the state change). */
export interface ConnectionEvent {
  /** Stable id: the same applied transition always has the same id, so consumers can dedupe. */
  readonly id: string;
  readonly type: ConnectionEventType;
  readonly connectionId: string;
  readonly provider: string;
  readonly hostUserId: string;
  readonly from?: ConnectionState | undefined;
  readonly to?: ConnectionState | undefined;
  readonly vendor?: VendorStatus | undefined;
  readonly problem?: ConnectionProblem | undefined;
  readonly occurredAt: string;
  /** What caused it: a webhook event id, an API error report, a status check, a reconnect completion, ... */
  readonly cause: {
    readonly kind: 'webhook' | 'api_error' | 'status_check' | 'reconnect' | 'revoke' | 'register';
    readonly ref?: string;
  };
  readonly data?: Readonly<Record<string, unknown>> | undefined;
}

/** What the host's Notifier receives when the end user must act. */
export interface UserNotification {
  readonly connection: ConnectionRef & { readonly state: ConnectionState };
  /** The reason in plain words. */
  readonly reason: string;
  /** How to fix it (a link, a redirect URL, a re-sent invite, the original shareable URL). */
  readonly action?: ReconnectAction | undefined;
  /** What stops working until the user reconnects. */
  readonly impact: readonly string[];
  readonly problem?: ConnectionProblem | undefined;
  /** What put the connection in this state (the triggering event's cause). */
  readonly cause?: ConnectionEvent['cause'] | undefined;
  /** Set when the notification is an early warning: the connection still works until `warning.deadline`. */
  readonly warning?: EarlyWarning | undefined;
}

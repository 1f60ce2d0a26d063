import type { Tables } from '../tables.js';
import type { Migration } from './migration.js';

/**
 * The first schema. Identifiers compared by the keyset pages (connection ids) use the "C" collation, so the
 * database orders them by code point exactly like JavaScript does, whatever the database's default collation.
 */
export const initialMigration: Migration = {
  version: 1,
  name: 'initial',
  sql: (t: Tables) => `
    CREATE TABLE ${t.connections} (
      id text COLLATE "C" PRIMARY KEY,
      provider text NOT NULL,
      host_user_id text NOT NULL,
      upstream_id text NOT NULL,
      upstream_parent_id text,
      state text NOT NULL,
      live boolean NOT NULL,
      created_at timestamptz NOT NULL,
      version integer NOT NULL,
      body jsonb NOT NULL
    );
    -- At most one non-terminal connection per vendor account.
    CREATE UNIQUE INDEX connections_live_upstream ON ${t.connections} (provider, upstream_id) WHERE live;
    CREATE INDEX connections_upstream ON ${t.connections} (provider, upstream_id, created_at);
    CREATE INDEX connections_order ON ${t.connections} (created_at, id);
    CREATE INDEX connections_parent ON ${t.connections} (provider, upstream_parent_id, created_at);
    CREATE INDEX connections_host ON ${t.connections} (host_user_id, created_at, id);
    CREATE INDEX connections_state ON ${t.connections} (state, created_at, id);

    -- Inbound dedupe: the primary key makes (provider, event_id) unique across every instance.
    CREATE TABLE ${t.inboundEvents} (
      provider text NOT NULL,
      event_id text NOT NULL,
      received_at timestamptz NOT NULL,
      PRIMARY KEY (provider, event_id)
    );
    CREATE INDEX inbound_events_received ON ${t.inboundEvents} (received_at);

    CREATE TABLE ${t.ignoredSignals} (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      provider text NOT NULL,
      connection_id text,
      recorded_at timestamptz NOT NULL,
      body jsonb NOT NULL
    );
    CREATE INDEX ignored_signals_provider ON ${t.ignoredSignals} (provider, seq);
    CREATE INDEX ignored_signals_connection ON ${t.ignoredSignals} (connection_id, seq);

    CREATE TABLE ${t.outbox} (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      event_id text NOT NULL UNIQUE,
      body jsonb NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL,
      delivered_at timestamptz,
      lease_owner text,
      lease_until timestamptz,
      last_error text
    );
    CREATE INDEX outbox_due ON ${t.outbox} (next_attempt_at, seq) WHERE delivered_at IS NULL;

    CREATE TABLE ${t.secrets} (
      connection_id text COLLATE "C" PRIMARY KEY,
      sealed text NOT NULL
    );

    CREATE TABLE ${t.reconnectAttempts} (
      nonce text PRIMARY KEY,
      connection_id text NOT NULL,
      provider text NOT NULL,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      outcome jsonb,
      completed_at timestamptz
    );
    CREATE INDEX reconnect_attempts_connection ON ${t.reconnectAttempts} (connection_id, created_at);
  `,
};

import type { Tables } from '../tables.js';
import type { Migration } from './migration.js';

/**
 * Reconnect attempts end (superseded by a newer start, or expired) and remember the state to go back to. Only
 * open attempts are looked up by connection or by expiry, so both partial indexes keep only those.
 */
export const attemptLifetimeMigration: Migration = {
  version: 2,
  name: 'attempt-lifetime',
  sql: (t: Tables) => `
    ALTER TABLE ${t.reconnectAttempts}
      ADD COLUMN return_to text,
      ADD COLUMN end_reason text,
      ADD COLUMN ended_at timestamptz;
    CREATE INDEX reconnect_attempts_open_expiry ON ${t.reconnectAttempts} (expires_at, nonce)
      WHERE outcome IS NULL AND end_reason IS NULL;
    CREATE INDEX reconnect_attempts_open_connection ON ${t.reconnectAttempts} (connection_id)
      WHERE outcome IS NULL AND end_reason IS NULL;
  `,
};

import { z } from 'zod';
import { CONNECTION_STATES, TERMINAL_STATES } from './types.js';

/** Schemas for the service's own inputs (callers may be plain JavaScript or untrusted HTTP bodies). */

const id = z.string().trim().min(1).max(256);
const vendorStatusSchema = z
  .object({ status: z.string(), code: z.string().nullish(), message: z.string().nullish() })
  .strict();
const stateSchema = z.enum(CONNECTION_STATES);

export const registerConnectionSchema = z
  .object({
    provider: id,
    hostUserId: id,
    upstreamId: id,
    upstreamParentId: id.optional(),
    state: stateSchema
      .refine(
        (state) => !TERMINAL_STATES.includes(state),
        'a new connection cannot start in a terminal state',
      )
      .optional(),
    vendor: vendorStatusSchema.optional(),
    metadata: z.record(z.string(), z.string()).optional(),
    secrets: z.record(z.string(), z.string()).optional(),
    previousConnectionId: id.optional(),
  })
  .strict();

export const listConnectionsSchema = z
  .object({
    provider: id.optional(),
    states: z.array(stateSchema).optional(),
    hostUserId: id.optional(),
    limit: z.number().int().min(1).max(500).optional(),
    cursor: z.string().min(1).optional(),
  })
  .strict();

const DAY_MS = 24 * 60 * 60 * 1000;
const age = z.number().int().min(0);

export const pruneHistorySchema = z
  .object({
    deliveredEventsOlderThanMs: age.optional(),
    // A dedupe record must outlive the vendors' redelivery window, or a late retry is applied twice.
    inboundEventsOlderThanMs: age.min(DAY_MS, 'must be at least one day (86400000 ms)').optional(),
    ignoredSignalsOlderThanMs: age.optional(),
    batchSize: z.number().int().min(1).max(10_000).optional(),
  })
  .strict()
  .refine(
    (options) =>
      options.deliveredEventsOlderThanMs !== undefined ||
      options.inboundEventsOlderThanMs !== undefined ||
      options.ignoredSignalsOlderThanMs !== undefined,
    'name at least one of deliveredEventsOlderThanMs, inboundEventsOlderThanMs, ignoredSignalsOlderThanMs',
  );

/**
 * `RELIABILITY_SCALE` multiplies every count in the suite (default 1: what CI runs, the storm at its acceptance
 * size of 100,000 deliveries; see docs/operations.md, "Failure modes"). Below 1 for quicker local runs.
 */
export const SCALE = Number(process.env.RELIABILITY_SCALE ?? '1');
if (!(SCALE > 0))
  throw new Error(`RELIABILITY_SCALE must be a positive number, got "${process.env.RELIABILITY_SCALE}".`);

export const scaled = (count: number): number => Math.max(1, Math.round(count * SCALE));

/** Seed for every generated input; printed by failing tests, override with RELIABILITY_SEED to replay. */
export const SEED = Number(process.env.RELIABILITY_SEED ?? '20261123');

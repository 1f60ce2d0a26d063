import { ManualClock } from '../clock.js';

/** A ManualClock that records every wait asked of it. */
export class RecordingClock extends ManualClock {
  readonly sleeps: number[] = [];

  override sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return super.sleep(ms);
  }
}

/** Moves `clock` forward in `stepMs` steps until `promise` settles (at most `maxMs` of clock time). */
export async function drive<T>(
  clock: ManualClock,
  promise: Promise<T>,
  stepMs = 10,
  maxMs = 120_000,
): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => {
    settled = true;
  });
  watched.catch(() => undefined);
  await new Promise((resolve) => setImmediate(resolve));
  for (let elapsed = 0; !settled && elapsed <= maxMs; elapsed += stepMs) await clock.advance(stepMs);
  if (!settled) throw new Error(`still pending after ${maxMs} ms of clock time`);
  return watched;
}

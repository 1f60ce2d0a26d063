import { finchError } from '../http/finch-errors.js';

/** Finch's offset paging (`limit`/`offset` in, `paging: {count, offset}` out), shared by every listing route. */
export interface Page<T> {
  paging: { count: number; offset: number };
  items: T[];
}

export function pageOf<T>(all: readonly T[], query: Record<string, unknown>, defaultLimit: number): Page<T> {
  const offset = (query.offset as number | undefined) ?? 0;
  const limit = (query.limit as number | undefined) ?? defaultLimit;
  if (offset < 0 || limit < 0) {
    throw finchError('invalid_request', { message: 'limit and offset must not be negative' });
  }
  return { paging: { count: all.length, offset }, items: all.slice(offset, offset + limit) };
}

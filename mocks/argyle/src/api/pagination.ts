/**
 * Argyle's cursor pagination: `limit` (default 10, max 200) and an opaque `cursor`; answers are
 * `{next, previous, results}` where `next`/`previous` are ABSOLUTE URLs carrying only `?cursor=`. Like Argyle's,
 * the cursor is base64 of a query string (`clientId=…&inverseSort=…&limit=…&rowKey=…` plus the list's filters), so
 * the filters need not be repeated. `rowKey` is a record's creation sequence number, so pages stay stable when
 * records are deleted between requests.
 */
import { MockHttpError, type MockRequest, type MockResponse } from '@reconnect-kit/mock-engine';
import { MOCK_CLIENT_ID } from '../domain/users.js';
import type { ArgylePage } from '../generated/paginated.js';
import { invalidField, jsonResponse } from './http.js';

const DEFAULT_PAGE_LIMIT = 10;
const MAX_PAGE_LIMIT = 200;

export interface PageRequest {
  /** Filter values, from the query string or (when following a cursor) from the cursor. */
  readonly filters: ReadonlyMap<string, string>;
  readonly limit: number;
  /** Forward pages return rows after `boundary`, backward pages rows before it; null = from the start. */
  readonly boundary: number | null;
  readonly backward: boolean;
}

function parseLimit(raw: string | null): number {
  if (raw === null || raw === '') return DEFAULT_PAGE_LIMIT;
  if (!/^\d+$/.test(raw)) throw invalidField('limit', 'A valid integer is required.');
  const limit = Number(raw);
  if (limit < 1) throw invalidField('limit', 'Ensure this value is greater than or equal to 1.');
  if (limit > MAX_PAGE_LIMIT) {
    throw invalidField('limit', `Ensure this value is less than or equal to ${MAX_PAGE_LIMIT}.`);
  }
  return limit;
}

const RESERVED_CURSOR_KEYS = new Set(['clientId', 'inverseSort', 'limit', 'rowKey']);

function invalidCursor(): MockHttpError {
  // DRF's CursorPagination answers a cursor it cannot decode with this 404.
  return new MockHttpError(404, { detail: 'Invalid cursor' });
}

function decodeCursor(cursor: string, filterNames: readonly string[]): PageRequest {
  const fields = new URLSearchParams(Buffer.from(cursor, 'base64').toString('utf8'));
  const limit = Number(fields.get('limit'));
  const rowKey = fields.get('rowKey');
  const inverse = fields.get('inverseSort');
  const valid =
    fields.get('clientId') === MOCK_CLIENT_ID &&
    Number.isInteger(limit) &&
    limit >= 1 &&
    limit <= MAX_PAGE_LIMIT &&
    rowKey !== null &&
    /^\d+$/.test(rowKey) &&
    (inverse === 'true' || inverse === 'false');
  if (!valid) throw invalidCursor();
  const filters = new Map<string, string>();
  for (const [key, value] of fields) {
    if (RESERVED_CURSOR_KEYS.has(key)) continue;
    if (!filterNames.includes(key)) throw invalidCursor();
    filters.set(key, value);
  }
  return { filters, limit, boundary: Number(rowKey), backward: inverse === 'true' };
}

/** Reads `limit`/`cursor` and the named filters from the query string (a cursor overrides both). */
export function readPageRequest(req: MockRequest, filterNames: readonly string[]): PageRequest {
  const cursor = req.query.get('cursor');
  if (cursor !== null && cursor !== '') return decodeCursor(cursor, filterNames);
  const filters = new Map<string, string>();
  for (const name of filterNames) {
    // Repeated parameters (`?status=a&status=b`) become one comma list, the same as `?status=a,b`.
    const value = req.query.getAll(name).join(',');
    if (value !== '') filters.set(name, value);
  }
  return { filters, limit: parseLimit(req.query.get('limit')), boundary: null, backward: false };
}

function pageUrl(req: MockRequest, page: PageRequest, boundary: number, backward: boolean): string {
  const fields = new URLSearchParams({
    clientId: MOCK_CLIENT_ID,
    inverseSort: String(backward),
    limit: String(page.limit),
    rowKey: String(boundary),
  });
  for (const [key, value] of page.filters) fields.set(key, value);
  const cursor = Buffer.from(fields.toString(), 'utf8').toString('base64');
  return `${req.baseUrl}${req.path}?cursor=${encodeURIComponent(cursor)}`;
}

/** Answers one page of `rows` (already filtered, any order) as Argyle's paginated envelope. */
export function pageResponse<T extends { readonly rowKey: number }>(
  req: MockRequest,
  page: PageRequest,
  rows: Iterable<T>,
  toWire: (row: T) => unknown,
): MockResponse {
  const sorted = [...rows].sort((a, b) => a.rowKey - b.rowKey);
  let shown: T[];
  let start: number;
  let end: number;
  if (page.backward) {
    const before = sorted.filter((row) => page.boundary === null || row.rowKey < page.boundary);
    shown = before.slice(-page.limit);
    start = shown[0]?.rowKey ?? page.boundary ?? 0;
    end = shown.at(-1)?.rowKey ?? (page.boundary ?? 1) - 1;
  } else {
    const after = sorted.filter((row) => page.boundary === null || row.rowKey > page.boundary);
    shown = after.slice(0, page.limit);
    start = shown[0]?.rowKey ?? (page.boundary ?? 0) + 1;
    end = shown.at(-1)?.rowKey ?? page.boundary ?? 0;
  }
  const hasPrevious = sorted.some((row) => row.rowKey < start);
  const hasNext = sorted.some((row) => row.rowKey > end);
  const body: ArgylePage = {
    next: hasNext ? pageUrl(req, page, end, false) : null,
    previous: hasPrevious ? pageUrl(req, page, start, true) : null,
    results: shown.map(toWire),
  };
  return jsonResponse(200, body);
}

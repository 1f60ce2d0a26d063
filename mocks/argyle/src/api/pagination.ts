/**
 * Argyle's cursor pagination: `limit` (default 10, max 200) and an opaque `cursor`; answers are
 * `{next, previous, results}` where `next`/`previous` are ABSOLUTE URLs carrying only `?cursor=`. Like Argyle's,
 * the cursor is base64 of a query string (`clientId=…&inverseSort=…&limit=…&rowKey=…` plus the list's filters), so
 * the filters need not be repeated. `rowKey` is a record's creation sequence number, so pages stay stable when
 * records are deleted between requests. Lists of objects Argyle creates (users, accounts, invites, webhooks) come in
 * creation order; data lists (paystubs, gigs, …) come newest first: by their date (`sortMs`), then creation.
 */
import { MockHttpError, type MockRequest, type MockResponse } from '@reconnect-kit/mock-engine';
import { MOCK_CLIENT_ID } from '../domain/users.js';
import type { ArgylePage } from '../generated/paginated.js';
import { invalidField, jsonResponse } from './http.js';

/** A row's place in a list: [sortMs, rowKey] (sortMs is 0 for creation-ordered lists). */
type Position = readonly [number, number];

export type ListOrder = 'created' | 'newest';

const DEFAULT_PAGE_LIMIT = 10;
const MAX_PAGE_LIMIT = 200;

export interface PageRequest {
  /** Filter values, from the query string or (when following a cursor) from the cursor. */
  readonly filters: ReadonlyMap<string, string>;
  readonly limit: number;
  /** Forward pages return rows after `boundary` in list order, backward pages rows before it; null = from the start. */
  readonly boundary: Position | null;
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
    /^(\d+_)?\d+$/.test(rowKey) &&
    (inverse === 'true' || inverse === 'false');
  if (!valid) throw invalidCursor();
  const filters = new Map<string, string>();
  for (const [key, value] of fields) {
    if (RESERVED_CURSOR_KEYS.has(key)) continue;
    if (!filterNames.includes(key)) throw invalidCursor();
    filters.set(key, value);
  }
  const [first, second] = rowKey.split('_');
  const boundary: Position = second === undefined ? [0, Number(first)] : [Number(first), Number(second)];
  return { filters, limit, boundary, backward: inverse === 'true' };
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

function pageUrl(req: MockRequest, page: PageRequest, boundary: Position, backward: boolean): string {
  const fields = new URLSearchParams({
    clientId: MOCK_CLIENT_ID,
    inverseSort: String(backward),
    limit: String(page.limit),
    rowKey: boundary[0] === 0 ? String(boundary[1]) : `${boundary[0]}_${boundary[1]}`,
  });
  for (const [key, value] of page.filters) fields.set(key, value);
  const cursor = Buffer.from(fields.toString(), 'utf8').toString('base64');
  return `${req.baseUrl}${req.path}?cursor=${encodeURIComponent(cursor)}`;
}

interface Listable {
  readonly rowKey: number;
  readonly sortMs?: number;
}

function positionOf(row: Listable, order: ListOrder): Position {
  return order === 'created' ? [0, row.rowKey] : [row.sortMs ?? 0, row.rowKey];
}

/** Negative when `a` comes before `b` in the list. */
function compare(a: Position, b: Position, order: ListOrder): number {
  const ascending = a[0] - b[0] || a[1] - b[1];
  return order === 'created' ? ascending : -ascending;
}

/** The position right after `position` in list order (`by` 1) or right before it (`by` -1); row keys are integers. */
function step(position: Position, order: ListOrder, by: 1 | -1): Position {
  return [position[0], position[1] + (order === 'created' ? by : -by)];
}

/** Answers one page of `rows` (already filtered, any order) as Argyle's paginated envelope. */
export function pageResponse<T extends Listable>(
  req: MockRequest,
  page: PageRequest,
  rows: Iterable<T>,
  toWire: (row: T) => unknown,
  order: ListOrder = 'created',
): MockResponse {
  const sorted = [...rows]
    .map((row) => ({ row, position: positionOf(row, order) }))
    .sort((a, b) => compare(a.position, b.position, order));
  const boundary = page.boundary;
  let shown: typeof sorted;
  if (page.backward) {
    const before =
      boundary === null ? sorted : sorted.filter((entry) => compare(entry.position, boundary, order) < 0);
    shown = before.slice(-page.limit);
  } else {
    const after =
      boundary === null ? sorted : sorted.filter((entry) => compare(entry.position, boundary, order) > 0);
    shown = after.slice(0, page.limit);
  }
  let previous: Position | null = null;
  let next: Position | null = null;
  if (shown.length > 0) {
    const start = shown[0]!.position;
    const end = shown.at(-1)!.position;
    if (sorted.some((entry) => compare(entry.position, start, order) < 0)) previous = start;
    if (sorted.some((entry) => compare(entry.position, end, order) > 0)) next = end;
  } else if (boundary !== null) {
    // An empty page (its rows deleted meanwhile) links back to the rows up to and including its boundary.
    const inclusive = (entry: { position: Position }) => compare(entry.position, boundary, order);
    if (!page.backward && sorted.some((entry) => inclusive(entry) <= 0)) previous = step(boundary, order, 1);
    if (page.backward && sorted.some((entry) => inclusive(entry) >= 0)) next = step(boundary, order, -1);
  }
  const body: ArgylePage = {
    next: next === null ? null : pageUrl(req, page, next, false),
    previous: previous === null ? null : pageUrl(req, page, previous, true),
    results: shown.map((entry) => toWire(entry.row)),
  };
  return jsonResponse(200, body);
}

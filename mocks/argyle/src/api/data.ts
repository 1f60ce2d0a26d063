/**
 * The data resources (`/v2/paystubs`, `/v2/gigs`, …) all behave alike, so one declaration serves each: a list
 * filtered by `account`, `user` (and `employment` or a date range where Argyle documents them), newest first,
 * cursor-paginated, and a retrieve by id; both 404/empty once the account is gone. List pages are serialised once
 * per data change and query (`PageCache`): a page of 100 full paystubs is ~280 KB of JSON.
 */
import type { MockRequest, RouteDefinition } from '@reconnect-kit/mock-engine';
import type { ArgyleState, DataStore, StoredRow } from '../domain/state.js';
import { type ArgyleContext, apiResource, jsonResponse, notFound } from './http.js';
import { type PageRequest, pageResponse, readPageRequest } from './pagination.js';
import { FieldErrors, isUuid } from './validation.js';

export interface DateRangeFilter {
  /** Query names of the lower bound (inclusive), e.g. `from_start_date`; the first is the documented one. */
  readonly from: readonly string[];
  readonly to: readonly string[];
}

export interface DataResourceSpec<W> {
  /** e.g. `/v2/paystubs`; the record is served at `${path}/:id`. */
  readonly path: string;
  readonly store: (state: ArgyleState) => DataStore<W>;
  readonly byEmployment?: boolean;
  /** Filters on the date the list is sorted by (paystub date, gig start, document date). */
  readonly dates?: DateRangeFilter;
  /** The wire object; default: the stored one as it is. */
  readonly toWire?: (row: StoredRow<W>, req: MockRequest) => unknown;
}

/** Distinct list queries kept per store; apps page through a few lists over and over between data changes. */
const MAX_CACHED_PAGES = 64;

/**
 * Serialised list pages of one store, valid while its `version` holds. A page is fully determined by the store's
 * records, the query string (filters, `limit`, `cursor`) and the host the client used (`next`/`previous` URLs and
 * `file_url` name it), so repeated reads send the same bytes without rebuilding them; any change clears them all.
 */
class PageCache {
  #version = -1;
  readonly #pages = new Map<string, string>();

  get(version: number, key: string): string | undefined {
    if (version !== this.#version) {
      this.#pages.clear();
      this.#version = version;
      return undefined;
    }
    return this.#pages.get(key);
  }

  set(key: string, page: string): void {
    if (this.#pages.size >= MAX_CACHED_PAGES) this.#pages.delete(this.#pages.keys().next().value!);
    this.#pages.set(key, page);
  }
}

/** Django's DateTimeFilter accepts a date or an ISO 8601 date-time. */
function parseDateFilter(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) return null;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isNaN(ms) ? null : ms;
}

/** The list filters every data resource shares: `user`, `account` and `employment` must be UUIDs. */
export function checkUuidFilters(page: PageRequest, names: readonly string[], errors: FieldErrors): void {
  for (const name of names) {
    const value = page.filters.get(name);
    if (value !== undefined && !isUuid(value)) errors.add(name, 'Enter a valid UUID.');
  }
}

function readDateBound(page: PageRequest, names: readonly string[], errors: FieldErrors): number | null {
  for (const name of names) {
    const value = page.filters.get(name);
    if (value === undefined) continue;
    const ms = parseDateFilter(value);
    if (ms === null) errors.add(name, 'Enter a valid date/time.');
    return ms;
  }
  return null;
}

export function dataResource<W>(spec: DataResourceSpec<W>): RouteDefinition<ArgyleState>[] {
  const idFilters = ['account', 'user', ...(spec.byEmployment ? ['employment'] : [])];
  const filterNames = [...idFilters, ...(spec.dates ? [...spec.dates.from, ...spec.dates.to] : [])];
  const toWire = spec.toWire ?? ((row: StoredRow<W>) => row.wire);
  // One cache per mock state (a reset makes a new state, with new stores).
  const caches = new WeakMap<DataStore<W>, PageCache>();
  return [
    ...apiResource(spec.path, {
      GET(req: MockRequest, ctx: ArgyleContext) {
        const store = spec.store(ctx.state);
        let cache = caches.get(store);
        if (!cache) {
          cache = new PageCache();
          caches.set(store, cache);
        }
        const key = `${req.baseUrl}?${req.query.toString()}`;
        const cached = cache.get(store.version, key);
        if (cached !== undefined) return jsonResponse(200, cached);
        const response = listPage(req, store);
        // Only successful pages get here (a bad filter throws); the engine sends a string body as it is.
        const page = JSON.stringify(response.body);
        cache.set(key, page);
        return jsonResponse(200, page);
      },
    }),
    ...apiResource(`${spec.path}/:id`, {
      GET(req: MockRequest, ctx: ArgyleContext) {
        const row = spec.store(ctx.state).byId.get(req.params.id ?? '');
        if (!row) throw notFound();
        return jsonResponse(200, toWire(row, req));
      },
    }),
  ];

  function listPage(req: MockRequest, store: DataStore<W>) {
    const page = readPageRequest(req, filterNames);
    const errors = new FieldErrors();
    checkUuidFilters(page, idFilters, errors);
    const from = spec.dates ? readDateBound(page, spec.dates.from, errors) : null;
    const to = spec.dates ? readDateBound(page, spec.dates.to, errors) : null;
    errors.throwIfAny();
    const account = page.filters.get('account');
    const user = page.filters.get('user');
    const employment = page.filters.get('employment');
    const candidates = account === undefined ? store.byId.values() : store.forAccount(account);
    const rows: StoredRow<W>[] = [];
    for (const row of candidates) {
      if (user !== undefined && row.userId !== user) continue;
      if (employment !== undefined && row.employment !== employment) continue;
      if (from !== null && row.sortMs < from) continue;
      if (to !== null && row.sortMs > to) continue;
      rows.push(row);
    }
    return pageResponse(req, page, rows, (row) => toWire(row, req), 'newest');
  }
}

import { forEachHeader, type HeaderSource } from '../http/incoming-call.js';
import { compilePathPattern } from '../http/path-pattern.js';
import { decodeUtf8 } from '../http/text-body.js';
import { maskFields, maskHeader } from './masking.js';

/** One journal row as kept in memory: references only, formatted (and masked) when read. */
export interface JournalEntry {
  id: number;
  timeMs: number;
  method: string;
  path: string;
  search: string;
  headers: HeaderSource;
  rawBody: Uint8Array;
  status: number | null;
  fault: string | undefined;
  route: string | null;
}

export interface JournalRecord {
  id: number;
  time: string;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: unknown;
  status: number | null;
  /** The vendor route pattern that answered (`/v2/accounts/:id`); null when none did (unknown route, fault, 413). */
  route: string | null;
  fault?: string;
  /** Present when the body is not valid UTF-8: `body` then holds the exact bytes in base64. */
  body_encoding?: 'base64';
}

export interface JournalFilter {
  path?: string;
  method?: string;
}

/** Every non-admin request, oldest first, capped at `limit` entries (the oldest are dropped). */
export class RequestJournal {
  readonly #limit: number;
  #entries: JournalEntry[] = [];
  #nextId = 1;

  constructor(limit: number) {
    this.#limit = limit;
  }

  record(entry: Omit<JournalEntry, 'id' | 'status' | 'fault' | 'route'>): JournalEntry {
    // Every field listed (no `...entry`): a spread copy plus the later `status`/`route` writes cost about 4 µs a
    // request in V8 (its object shapes keep being rebuilt), more than the rest of the journal's work.
    const stored: JournalEntry = {
      id: this.#nextId++,
      timeMs: entry.timeMs,
      method: entry.method,
      path: entry.path,
      search: entry.search,
      headers: entry.headers,
      rawBody: entry.rawBody,
      status: null,
      fault: undefined,
      route: null,
    };
    if (this.#limit <= 0) return stored;
    if (this.#entries.length >= this.#limit) this.#entries.shift();
    this.#entries.push(stored);
    return stored;
  }

  list(filter: JournalFilter = {}): JournalRecord[] {
    const matches = matcher(filter);
    return this.#entries.filter(matches).map(formatEntry);
  }

  /** Removes the entries matching `filter` (all of them without one); returns how many were removed. */
  clear(filter: JournalFilter = {}): number {
    const matches = matcher(filter);
    const before = this.#entries.length;
    this.#entries = this.#entries.filter((entry) => !matches(entry));
    return before - this.#entries.length;
  }
}

function matcher(filter: JournalFilter): (entry: JournalEntry) => boolean {
  const pattern = filter.path === undefined ? undefined : compilePathPattern(filter.path);
  const method = filter.method?.toUpperCase();
  return (entry) =>
    (method === undefined || entry.method === method) && (!pattern || pattern.match(entry.path) !== null);
}

function formatEntry(entry: JournalEntry): JournalRecord {
  const headers: Record<string, string> = {};
  let contentType = '';
  forEachHeader(entry.headers, (name, value) => {
    const lower = name.toLowerCase();
    if (lower === 'content-type') contentType = value;
    headers[lower] = maskHeader(lower, value);
  });
  const record: JournalRecord = {
    id: entry.id,
    time: new Date(entry.timeMs).toISOString(),
    method: entry.method,
    path: entry.path,
    query: maskFields(searchToObject(new URLSearchParams(entry.search))) as Record<string, string | string[]>,
    headers,
    body: null,
    status: entry.status,
    route: entry.route,
  };
  if (entry.rawBody.byteLength > 0) {
    const text = decodeUtf8(entry.rawBody);
    if (text === undefined) {
      record.body = Buffer.from(entry.rawBody).toString('base64');
      record.body_encoding = 'base64';
    } else {
      record.body = maskFields(parseBody(text, contentType));
    }
  }
  if (entry.fault !== undefined) record.fault = entry.fault;
  return record;
}

function searchToObject(params: URLSearchParams): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [key, value] of params) {
    const existing = result[key];
    if (existing === undefined) result[key] = value;
    else result[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return result;
}

function parseBody(text: string, contentType: string): unknown {
  if (contentType.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  if (contentType.includes('application/x-www-form-urlencoded'))
    return searchToObject(new URLSearchParams(text));
  return text;
}

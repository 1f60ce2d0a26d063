/**
 * Items (`/v2/items`, `/v2/items/{id}`) and `/v2/employer-search` over the mock's sandbox catalogue. `q` is a
 * case-insensitive match on the name, scored like Argyle's `matching_score` ("1.00" for a prefix match, lower for
 * a match inside the name; null without `q`); multi-value filters take a comma list or repeated parameters.
 */
import type { RouteDefinition } from '@reconnect-kit/mock-engine';
import { SANDBOX_ITEMS, type SandboxItem } from '../domain/sandbox.js';
import type { ArgyleState } from '../domain/state.js';
import type { ArgyleEmployer } from '../generated/employer.js';
import type { ArgyleItem } from '../generated/item.js';
import { apiResource, jsonResponse, notFound } from './http.js';
import { type PageRequest, pageResponse, readPageRequest } from './pagination.js';
import { FieldErrors } from './validation.js';

const DATA_SETS = [
  'identities',
  'paystubs',
  'payroll_documents',
  'deposit_destinations',
  'shifts',
  'gigs',
  'vehicles',
  'ratings',
];
const GIG_ONLY = new Set(['gigs', 'shifts', 'vehicles', 'ratings']);

/** Items as listable rows: the catalogue order is the creation order. */
const ROWS = SANDBOX_ITEMS.map((item, index) => ({ item, rowKey: index + 1 }));

function logoUrl(item: SandboxItem): string {
  return `https://res.cloudinary.com/argyle-media/image/upload/${item.id}.png`;
}

/** The Item as lists show it, in the recorded key order. */
function summary(item: SandboxItem): ArgyleItem {
  return {
    id: item.id,
    name: item.name,
    kind: item.kind,
    known_limitations: item.knownLimitations,
    status: item.status,
    status_details: item.statusDetails,
    mapping_status: item.mappingStatus,
    logo_url: logoUrl(item),
    is_grouping: false,
  };
}

function withFeatures(item: SandboxItem): ArgyleItem {
  const gig = item.kind === 'gig';
  const coverage = Object.fromEntries(
    DATA_SETS.map((set) => [set, { supported: gig || !GIG_ONLY.has(set) }]),
  );
  return {
    ...summary(item),
    features: {
      data_retrieval: { refresh_frequency: item.status === 'unavailable' ? null : item.refreshFrequency },
      field_coverage: coverage,
      direct_deposit_switch: {
        card: { supported: gig, max_allocations: gig ? '1' : null },
        deposit_account: {
          types: ['ach_deposit_account'],
          supported: !gig,
          max_allocations: gig ? null : '2',
        },
      },
    },
  };
}

/** "1.00" when the name starts with the query, "0.80" when it holds it, null when it does not match. */
function matchingScore(item: SandboxItem, query: string): string | null {
  const name = item.name.toLowerCase();
  const q = query.trim().toLowerCase();
  if (name.startsWith(q)) return '1.00';
  return name.includes(q) ? '0.80' : null;
}

function values(page: PageRequest, name: string): string[] | undefined {
  return page.filters
    .get(name)
    ?.split(',')
    .filter((value) => value !== '');
}

const CHOICES: Record<string, readonly string[]> = {
  kind: ['employer', 'gig', 'platform', 'benefits'],
  status: ['healthy', 'issues', 'unavailable'],
  mapping_status: ['verified', 'mapped', 'unmapped'],
};

/** The catalogue filtered like Argyle's item list; with `q`, each match carries its score. */
function search(page: PageRequest) {
  const errors = new FieldErrors();
  for (const [name, choices] of Object.entries(CHOICES)) {
    for (const value of values(page, name) ?? []) {
      if (!choices.includes(value)) {
        errors.add(name, `Select a valid choice. ${value} is not one of the available choices.`);
      }
    }
  }
  const minScore = page.filters.get('min_matching_score');
  if (minScore !== undefined && Number.isNaN(Number(minScore)))
    errors.add('min_matching_score', 'A valid number is required.');
  errors.throwIfAny();
  const q = page.filters.get('q');
  const ids = values(page, 'id');
  const matches: { item: SandboxItem; rowKey: number; score: string | null }[] = [];
  for (const row of ROWS) {
    const score = q === undefined ? null : matchingScore(row.item, q);
    if (q !== undefined && score === null) continue;
    if (minScore !== undefined && score !== null && Number(score) < Number(minScore)) continue;
    if (ids && !ids.includes(row.item.id)) continue;
    if (!(values(page, 'kind')?.includes(row.item.kind) ?? true)) continue;
    if (!(values(page, 'status')?.includes(row.item.status) ?? true)) continue;
    if (!(values(page, 'mapping_status')?.includes(row.item.mappingStatus) ?? true)) continue;
    matches.push({ ...row, score });
  }
  return matches;
}

export const itemRoutes: RouteDefinition<ArgyleState>[] = [
  ...apiResource('/v2/items', {
    GET(req) {
      const page = readPageRequest(req, [
        'q',
        'id',
        'kind',
        'status',
        'mapping_status',
        'min_matching_score',
      ]);
      // Recorded lists carry `matching_score` on every Item, null when the list was not searched with `q`.
      return pageResponse(req, page, search(page), ({ item, score }) => ({
        ...summary(item),
        matching_score: score,
      }));
    },
  }),
  ...apiResource('/v2/items/:id', {
    GET(req) {
      const item = SANDBOX_ITEMS.find((candidate) => candidate.id === req.params.id);
      if (!item) throw notFound();
      return jsonResponse(200, withFeatures(item));
    },
  }),
  ...apiResource('/v2/employer-search', {
    GET(req) {
      const page = readPageRequest(req, ['q', 'kind', 'status', 'mapping_status']);
      return pageResponse(
        req,
        page,
        search(page),
        ({ item }): ArgyleEmployer => ({
          id: item.id,
          name: item.name,
          logo_url: logoUrl(item),
          kind: item.kind,
          mapping_status: item.mappingStatus,
          status: item.status,
        }),
      );
    },
  }),
];

/** `/v2/accounts`, the sandbox `periodic-scan`, and `/v2/paystubs` (so paused data refresh is observable). */
import type { MockRequest, RouteDefinition } from '@reconnect-kit/mock-engine';
import { periodicScan, removeAccount } from '../domain/accounts.js';
import { serializeAccount, serializePaystub } from '../domain/serialize.js';
import { type AccountRecord, type ArgyleState, accountPaystubs } from '../domain/state.js';
import { type ArgyleContext, apiResource, jsonResponse, notFound, readObjectBody } from './http.js';
import { type PageRequest, pageResponse, readPageRequest } from './pagination.js';
import { FieldErrors, isUuid } from './validation.js';

const ONGOING_REFRESH_STATUSES = ['enabled', 'disabled', 'idle'];

function findAccount(req: MockRequest, ctx: ArgyleContext): AccountRecord {
  const account = ctx.state.accounts.get(req.params.id ?? '');
  if (!account) throw notFound();
  return account;
}

/** django-filter messages for the list filters; a bad filter is a 400 naming it. */
function checkFilters(page: PageRequest): void {
  const errors = new FieldErrors();
  for (const field of ['user', 'account']) {
    const value = page.filters.get(field);
    if (value !== undefined && !isUuid(value)) errors.add(field, 'Enter a valid UUID.');
  }
  const item = page.filters.get('item');
  if (item !== undefined && !/^item_\d+$/.test(item)) errors.add('item', 'Enter a valid item id.');
  const refresh = page.filters.get('ongoing_refresh_status');
  if (refresh !== undefined && !ONGOING_REFRESH_STATUSES.includes(refresh)) {
    errors.add(
      'ongoing_refresh_status',
      `Select a valid choice. ${refresh} is not one of the available choices.`,
    );
  }
  errors.throwIfAny();
}

export const accountRoutes: RouteDefinition<ArgyleState>[] = [
  ...apiResource('/v2/accounts', {
    GET(req, ctx) {
      const page = readPageRequest(req, ['user', 'item', 'ongoing_refresh_status']);
      checkFilters(page);
      const user = page.filters.get('user');
      const item = page.filters.get('item');
      const refresh = page.filters.get('ongoing_refresh_status');
      const accounts = [...ctx.state.accounts.values()].filter(
        (account) =>
          (user === undefined || account.userId === user) &&
          (item === undefined || account.itemId === item) &&
          (refresh === undefined || account.ongoingRefresh === refresh),
      );
      return pageResponse(req, page, accounts, (account) => serializeAccount(ctx.state, account));
    },
  }),
  ...apiResource('/v2/accounts/:id', {
    GET(req, ctx) {
      return jsonResponse(200, serializeAccount(ctx.state, findAccount(req, ctx)));
    },
    DELETE(req, ctx) {
      removeAccount(ctx, findAccount(req, ctx));
      return { status: 204 };
    },
  }),
  ...apiResource('/v2/accounts/:id/periodic-scan', {
    POST(req, ctx) {
      const account = findAccount(req, ctx);
      readObjectBody(req);
      periodicScan(ctx, account);
      return jsonResponse(200, {});
    },
  }),
  ...apiResource('/v2/paystubs', {
    GET(req, ctx) {
      const page = readPageRequest(req, ['account', 'user']);
      checkFilters(page);
      const account = page.filters.get('account');
      const user = page.filters.get('user');
      const candidates =
        account === undefined ? ctx.state.paystubs.values() : accountPaystubs(ctx.state, account).values();
      const paystubs = [...candidates].filter((paystub) => user === undefined || paystub.userId === user);
      return pageResponse(req, page, paystubs, serializePaystub);
    },
  }),
  ...apiResource('/v2/paystubs/:id', {
    GET(req, ctx) {
      const paystub = ctx.state.paystubs.get(req.params.id ?? '');
      if (!paystub) throw notFound();
      return jsonResponse(200, serializePaystub(paystub));
    },
  }),
];

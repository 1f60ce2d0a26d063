/**
 * `/v2/invites`: every NEW invite creates a new user (so inviting the same person twice duplicates them, as
 * Argyle warns); re-sending (`POST /v2/invites/{id}`) only adds a delivery and refreshes `invited_at`.
 */
import { MockHttpError, type MockRequest, type RouteDefinition } from '@reconnect-kit/mock-engine';
import { serializeInvite } from '../domain/serialize.js';
import type { ArgyleState, InviteRecord, InviteStatus } from '../domain/state.js';
import { takeRowKey } from '../domain/state.js';
import { createUser, userTokenFor } from '../domain/users.js';
import { inviteUrl } from '../link/paths.js';
import { type ArgyleContext, apiResource, jsonResponse, notFound, readObjectBody } from './http.js';
import { pageResponse, readPageRequest } from './pagination.js';
import { FieldErrors, readString, readStringList } from './validation.js';

const INVITE_STATUSES: readonly InviteStatus[] = ['sent', 'initiated', 'attempted', 'completed', 'revoked'];

function findInvite(req: MockRequest, ctx: ArgyleContext): InviteRecord {
  const invite = ctx.state.invites.get(req.params.id ?? '');
  if (!invite) throw notFound();
  return invite;
}

/** The invite as served by detail endpoints: with a fresh one-hour user token. */
function inviteDetail(req: MockRequest, ctx: ArgyleContext, invite: InviteRecord) {
  return serializeInvite(invite, {
    url: inviteUrl(req.baseUrl, invite.id),
    userToken: userTokenFor(ctx, invite.userId),
  });
}

function newDelivery(ctx: ArgyleContext, invite: Pick<InviteRecord, 'email'>) {
  return {
    id: ctx.newId(),
    method: invite.email ? 'email' : 'sms',
    status: 'sent',
    sentAt: ctx.clock.now(),
  } as const;
}

function readStatusFilter(value: string | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  const statuses = new Set(value.split(',').filter((status) => status !== ''));
  const errors = new FieldErrors();
  for (const status of statuses) {
    if (!INVITE_STATUSES.includes(status as InviteStatus)) {
      errors.add('status', `Select a valid choice. ${status} is not one of the available choices.`);
    }
  }
  errors.throwIfAny();
  return statuses;
}

export const inviteRoutes: RouteDefinition<ArgyleState>[] = [
  ...apiResource('/v2/invites', {
    GET(req, ctx) {
      const page = readPageRequest(req, ['status']);
      const statuses = readStatusFilter(page.filters.get('status'));
      const invites = [...ctx.state.invites.values()].filter(
        (invite) => statuses === undefined || statuses.has(invite.status),
      );
      // List results carry no user token.
      return pageResponse(req, page, invites, (invite) =>
        serializeInvite(invite, { url: inviteUrl(req.baseUrl, invite.id), userToken: null }),
      );
    },
    POST(req, ctx) {
      const body = readObjectBody(req);
      const errors = new FieldErrors();
      const firstName = readString(body, 'first_name', errors, { required: true });
      const lastName = readString(body, 'last_name', errors, { required: true });
      const email = readString(body, 'email', errors, { format: 'email' });
      const phoneNumber = readString(body, 'phone_number', errors, { format: 'phone' });
      const externalId = readString(body, 'external_id', errors, { maxLength: 100 });
      const flowId = readString(body, 'flow_id', errors);
      const flowItems = readStringList(body, 'flow_items', errors);
      if (email === null && phoneNumber === null && !errors.has('email') && !errors.has('phone_number')) {
        errors.add('non_field_errors', 'Either email or phone_number is required.');
      }
      errors.throwIfAny();
      const user = createUser(ctx, { externalId });
      const now = ctx.clock.now();
      const invite: InviteRecord = {
        id: ctx.newId(),
        rowKey: takeRowKey(ctx.state),
        userId: user.id,
        firstName: firstName!,
        lastName: lastName!,
        email,
        phoneNumber,
        externalId,
        flowId,
        flowItems,
        createdAt: now,
        updatedAt: now,
        invitedAt: now,
        revokedAt: null,
        status: 'sent',
        deliveries: [newDelivery(ctx, { email })],
      };
      ctx.state.invites.set(invite.id, invite);
      return jsonResponse(201, inviteDetail(req, ctx, invite));
    },
  }),
  ...apiResource('/v2/invites/:id', {
    GET(req, ctx) {
      return jsonResponse(200, inviteDetail(req, ctx, findInvite(req, ctx)));
    },
    /** Re-send: the way to bring a returning user back without creating a duplicate user. */
    POST(req, ctx) {
      const invite = findInvite(req, ctx);
      readObjectBody(req);
      if (invite.status === 'revoked') {
        throw new MockHttpError(400, { non_field_errors: ['A revoked invite cannot be re-sent.'] });
      }
      const now = ctx.clock.now();
      invite.invitedAt = now;
      invite.updatedAt = now;
      invite.deliveries.push(newDelivery(ctx, invite));
      return jsonResponse(200, inviteDetail(req, ctx, invite));
    },
  }),
  ...apiResource('/v2/invites/:id/revoke', {
    POST(req, ctx) {
      const invite = findInvite(req, ctx);
      readObjectBody(req);
      if (invite.status !== 'revoked') {
        const now = ctx.clock.now();
        invite.status = 'revoked';
        invite.revokedAt = now;
        invite.updatedAt = now;
      }
      return jsonResponse(
        200,
        serializeInvite(invite, { url: inviteUrl(req.baseUrl, invite.id), userToken: null }),
      );
    },
  }),
];

/**
 * Who is in Link: every Link request carries the session (user token, optional invite and redirect URI) in its
 * query or form, and every step re-checks it, as Link does (`invalid_user_token`, `expired_user_token`).
 */
import type { MockContext } from '@reconnect-kit/mock-engine';
import type { AccountRecord, ArgyleState, InviteRecord, InviteStatus } from '../domain/state.js';
import { verifyUserToken } from '../domain/user-token.js';
import { userTokenFor, userTokenSigningKey } from '../domain/users.js';
import type { SessionFields } from './markup.js';

type Ctx = MockContext<ArgyleState>;

/** Ends a request with Link's error screen (thrown so every step can bail out in one line). */
export class LinkError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    readonly userMessage: string,
  ) {
    super(errorType);
  }
}

export interface LinkSession extends SessionFields {
  readonly userId: string;
  readonly invite?: InviteRecord;
}

function readRedirectUri(value: string | null): string | undefined {
  if (value === null || value === '') return undefined;
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {
    // reported below
  }
  throw new LinkError(400, 'generic', 'redirect_uri must be an absolute http(s) URL.');
}

export function markInvite(invite: InviteRecord | undefined, status: InviteStatus, ctx: Ctx): void {
  if (!invite || invite.status === 'revoked' || invite.status === 'completed') return;
  if (status === 'initiated' && invite.status !== 'sent') return;
  invite.status = status;
  invite.updatedAt = ctx.clock.now();
}

/**
 * Resolves who is in Link from `user_token`, or on the hosted invite page the invite id, or on a shareable URL the
 * user's share id (both sign their user in themselves, as Argyle's hosted Link does).
 */
export function openSession(fields: URLSearchParams, ctx: Ctx): LinkSession {
  const redirectUri = readRedirectUri(fields.get('redirect_uri'));
  const shareId = fields.get('share') ?? undefined;
  if (shareId !== undefined) {
    const user = [...ctx.state.users.values()].find((candidate) => candidate.shareId === shareId);
    if (!user) throw new LinkError(404, 'generic', 'This Link URL is not valid.');
    const token = fields.get('user_token') ?? '';
    const check = token === '' ? null : verifyUserToken(token, userTokenSigningKey(ctx), ctx.clock.now());
    if (check !== null && (!check.ok || check.userId !== user.id)) {
      throw new LinkError(400, 'generic', 'The user token does not belong to this Link URL.');
    }
    return {
      userToken: token === '' ? userTokenFor(ctx, user.id) : token,
      userId: user.id,
      shareId,
      redirectUri,
    };
  }
  const inviteId = fields.get('invite') ?? undefined;
  const invite = inviteId ? ctx.state.invites.get(inviteId) : undefined;
  if (inviteId && !invite) throw new LinkError(404, 'generic', 'This invite link is not valid.');
  if (invite?.status === 'revoked') {
    throw new LinkError(410, 'invite_revoked', 'This invite has expired. Ask for a new link.');
  }
  const token = fields.get('user_token') ?? '';
  if (invite && token === '') {
    // The hosted invite page signs the invited user in itself.
    markInvite(invite, 'initiated', ctx);
    return {
      userToken: userTokenFor(ctx, invite.userId),
      userId: invite.userId,
      inviteId,
      invite,
      redirectUri,
    };
  }
  if (token === '') throw new LinkError(401, 'invalid_user_token', 'Link needs a user token to open.');
  const check = verifyUserToken(token, userTokenSigningKey(ctx), ctx.clock.now());
  if (!check.ok) {
    const message =
      check.errorType === 'expired_user_token'
        ? 'The user token has expired. Create a new one and open Link again.'
        : 'The user token is not valid.';
    throw new LinkError(401, check.errorType, message);
  }
  if (!ctx.state.users.has(check.userId)) {
    throw new LinkError(401, 'invalid_user_token', 'The user of this token no longer exists.');
  }
  if (invite && invite.userId !== check.userId) {
    throw new LinkError(400, 'generic', 'The invite belongs to another user.');
  }
  return { userToken: token, userId: check.userId, inviteId: invite?.id, invite, redirectUri };
}

export function ownAccount(session: LinkSession, accountId: string | null, ctx: Ctx): AccountRecord {
  const account = accountId ? ctx.state.accounts.get(accountId) : undefined;
  if (!account || account.userId !== session.userId) {
    throw new LinkError(404, 'invalid_account_id', 'No account with that id for this user.');
  }
  return account;
}

import type { Connection } from './service-api.js';
import type { ServiceContext } from './service-context.js';
import { StateTokenSigner } from './state-token.js';
import type { ReconnectAction } from './types.js';

/** Reconnect attempts: each start mints a signed `state` bound to one connection and records the attempt. */
export class ReconnectAttempts {
  constructor(private readonly ctx: ServiceContext) {}

  /** Mints a signed state bound to a new attempt and asks the provider for the user's way back in. */
  async mint(
    connection: Connection,
    redirectUri: string | undefined,
  ): Promise<{ action: ReconnectAction; nonce: string }> {
    const { ctx } = this;
    const provider = ctx.provider(connection.provider);
    const now = ctx.clock.now();
    const nonce = StateTokenSigner.newNonce();
    const expiresAt = new Date(now.getTime() + ctx.options.stateTtlMs);
    const state = ctx.stateSigner.sign({
      connectionId: connection.id,
      provider: connection.provider,
      nonce,
      expiresAt,
    });
    const providerConnection = await ctx.providerConnection(connection);
    const action = await ctx.vendorCall(provider, () =>
      provider.startReconnection(providerConnection, { state, expiresAt, redirectUri, now }),
    );
    await ctx.store.insertReconnectAttempt({
      nonce,
      connectionId: connection.id,
      provider: connection.provider,
      createdAt: now.toISOString(),
      expiresAt: expiresAt.toISOString(),
    });
    return { action, nonce };
  }
}

import type {
  CallbackParams,
  ConnectionProblem,
  ProviderCapabilities,
  ProviderConnection,
  ProviderEvent,
  ProviderStatus,
  ReconnectAction,
  ReconnectionProvider,
  ReconnectResult,
  StartContext,
  VerifiedWebhook,
} from '@reconnect-kit/core';
import { inject, injectable } from 'tsyringe';
import type { PlaidConfig } from './config.js';
import { todo } from './todo.js';
import { PLAID_CONFIG } from './tokens.js';

export const PLAID_PROVIDER_ID = 'plaid';

/**
 * The Plaid adapter. Each method says what it must do; `tests/conformance/plaid.test.ts` checks all of it
 * against the mock, and `docs/adding-a-provider.md` walks through Argyle and Finch as worked examples.
 */
@injectable()
export class PlaidProvider implements ReconnectionProvider {
  readonly id = PLAID_PROVIDER_ID;
  /**
   * TODO(plaid): declare only what the vendor really supports. The conformance suite runs every rule these
   * capabilities cover and skips the others, so this list decides what "conformant" means for this provider.
   */
  readonly capabilities: ProviderCapabilities = {
    webhooks: true,
    statusPolling: true,
    errorClassification: true,
    oneClickReconnect: false,
    redirectReconnect: true,
    inviteResend: false,
    revocation: true,
  };
  // Private: never part of JSON.stringify or util.inspect output (it holds the API key).
  readonly #config: PlaidConfig;

  constructor(@inject(PLAID_CONFIG) config: PlaidConfig) {
    this.#config = config;
  }

  verifyWebhook(_rawBody: Uint8Array, _headers: Headers, _now: Date): VerifiedWebhook {
    return todo(
      'verifyWebhook: check the vendor signature over the exact raw bytes with node:crypto (timingSafeEqual) ' +
        'and throw ReconnectKitError webhook_signature_invalid when it is missing or wrong',
    );
  }

  parseWebhook(_webhook: VerifiedWebhook): ProviderEvent[] {
    return todo(
      'parseWebhook: validate the payload (fixtures/schemas/plaid) and map it to events with a stable eventId ' +
        'and the vendor time as occurredAt',
    );
  }

  classifyError(_error: unknown): ConnectionProblem | undefined {
    return todo('classifyError: recognise the vendor errors that mean "the user must reconnect" (or "wait")');
  }

  async fetchStatus(_connection: ProviderConnection): Promise<ProviderStatus> {
    return todo(`fetchStatus: read the connection's status from ${this.#config.baseUrl} and map it`);
  }

  async startReconnection(_connection: ProviderConnection, _ctx: StartContext): Promise<ReconnectAction> {
    return todo('startReconnection: open the vendor reconnect flow for the EXISTING upstream connection');
  }

  async completeReconnection(
    _connection: ProviderConnection,
    _callback: CallbackParams,
  ): Promise<ReconnectResult> {
    return todo(
      'completeReconnection: confirm the reconnect with the vendor and return the same upstream id',
    );
  }

  async revoke(_connection: ProviderConnection): Promise<void> {
    return todo('revoke: disconnect the connection upstream');
  }
}

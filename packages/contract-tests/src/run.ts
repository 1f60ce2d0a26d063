import {
  type CompletionOutcome,
  type Connection,
  type ConnectionState,
  isReconnectKitError,
  type ProviderCapabilities,
} from '@reconnect-kit/core';
import { container as rootContainer } from 'tsyringe';
import {
  DETECTION_CAPABILITY,
  type Detection,
  type ScenarioCatalogue,
  type ScenarioEntry,
} from './catalogue.js';
import { type Host, startHost } from './harness/host.js';
import { type MockEnv, mockEnv } from './harness/mock-admin.js';
import { startWebhookReceiver, type WebhookReceiver } from './harness/webhook-receiver.js';
import {
  DEFAULT_REDIRECT_URI,
  type MockStarter,
  type ProviderConformanceOptions,
  type RunningMock,
  type SeededConnection,
} from './options.js';
import { check } from './violation.js';

/** A seeded connection, registered with a host as connected. */
export interface Seeded {
  readonly host: Host;
  readonly connection: Connection;
  readonly upstream: SeededConnection;
}

/** The event a problem state must emit when it is reached. */
const EVENT_FOR_STATE: Partial<Record<ConnectionState, string>> = {
  needs_reauth: 'connection.broken',
  needs_credentials: 'connection.broken',
  degraded: 'connection.degraded',
  revoked: 'connection.revoked',
  disconnected: 'connection.disconnected',
};

/** The running suite: the mock, the webhook receiver, and the steps rules are written in. */
export class ConformanceRun {
  readonly options: ProviderConformanceOptions;
  readonly catalogue: ScenarioCatalogue;
  readonly capabilities: ProviderCapabilities;
  readonly redirectUri: string;
  #mock: RunningMock | undefined;
  #receiver: WebhookReceiver | undefined;
  #env: MockEnv | undefined;

  constructor(
    options: ProviderConformanceOptions,
    catalogue: ScenarioCatalogue,
    capabilities: ProviderCapabilities,
  ) {
    this.options = options;
    this.catalogue = catalogue;
    this.capabilities = capabilities;
    this.redirectUri = options.redirectUri ?? DEFAULT_REDIRECT_URI;
  }

  get env(): MockEnv {
    if (!this.#env) throw new Error('the conformance suite is not started (call start() first)');
    return this.#env;
  }

  async start(): Promise<void> {
    this.#receiver = await startWebhookReceiver(`/webhooks/${this.options.providerId}`);
    const mock = this.options.mock;
    const running = typeof mock === 'string' ? mock : 'url' in mock ? mock.url : undefined;
    if (running === undefined) {
      this.#mock = await (mock as MockStarter).start({ webhookUrl: this.#receiver.url });
      this.#env = mockEnv(this.#mock.url, this.#receiver.url);
    } else {
      this.#env = mockEnv(running.replace(/\/+$/, ''), this.#receiver.url);
    }
    const { connectWebhooks } = this.options.hooks;
    if (connectWebhooks) await connectWebhooks(this.#env);
    // A mock already running was started without our receiver: make it the default webhook target.
    else if (running !== undefined) await this.#env.updateWebhooks({ url: this.#receiver.url });
  }

  async stop(): Promise<void> {
    await this.#mock?.close();
    await this.#receiver?.close();
    this.#mock = undefined;
    this.#receiver = undefined;
    this.#env = undefined;
  }

  /** Whether the provider declares what a detection needs. */
  supports(detection: Detection): boolean {
    const needs = DETECTION_CAPABILITY[detection];
    if (needs === 'reconnect')
      return this.capabilities.oneClickReconnect || this.capabilities.redirectReconnect;
    return this.capabilities[needs];
  }

  /** A new host app with a freshly built provider. */
  host(): Promise<Host> {
    const env = this.env;
    if (!this.#receiver) throw new Error('the conformance suite is not started');
    return startHost(this.options.providerId, env, this.#receiver, (container) =>
      this.options.provider({ container, config: this.options.config.valid(env), env }),
    );
  }

  /** A new host with one healthy upstream connection registered as connected (its seed webhooks dropped). */
  async seed(): Promise<Seeded> {
    const host = await this.host();
    const upstream = await this.options.hooks.seed(this.env);
    await host.collect();
    const connection = await host.service.registerConnection({
      provider: this.options.providerId,
      hostUserId: 'conformance-user',
      upstreamId: upstream.upstreamId,
      upstreamParentId: upstream.upstreamParentId,
      secrets: upstream.secrets,
      metadata: upstream.metadata,
      state: 'connected',
    });
    await host.tick(1000);
    return { host, connection, upstream };
  }

  /** Runs a catalogue scenario on the mock against the seeded connection (`target` = its upstream id). */
  async runScenario(seeded: Seeded, entry: ScenarioEntry): Promise<void> {
    const input =
      'target' in entry.input ? { ...entry.input, target: seeded.upstream.upstreamId } : entry.input;
    await this.env.scenario(entry.id, input);
  }

  /** Runs the scenarios an entry says come first, each detected by webhook, one second apart. */
  async runPreceding(seeded: Seeded, entry: ScenarioEntry): Promise<void> {
    for (const id of entry.preceded_by ?? []) {
      await this.runScenario(seeded, this.entry(id));
      await seeded.host.ingestAll();
      await seeded.host.tick(1000);
    }
  }

  entry(id: string): ScenarioEntry {
    const found = this.catalogue.scenarios.find((candidate) => candidate.id === id);
    if (!found) throw new Error(`scenario ${id} is not in the catalogue`);
    return found;
  }

  /** Scenarios that break a seeded connection on their own (they name a target, nothing must run first). */
  breakingScenarios(): ScenarioEntry[] {
    return this.catalogue.scenarios.filter(
      (entry) =>
        'target' in entry.input &&
        !entry.preceded_by?.length &&
        entry.expected_state !== 'connected' &&
        entry.detected_by.some((d) => d !== 'reconnect_attempt' && this.supports(d)),
    );
  }

  /**
   * Breaks the seeded connection with `entry` through the first way the provider supports (webhook, status
   * check, API error) and checks it reached the expected state.
   */
  async breakWith(rule: string, seeded: Seeded, entry: ScenarioEntry): Promise<void> {
    const detection = entry.detected_by.find((d) => d !== 'reconnect_attempt' && this.supports(d));
    if (!detection) throw new Error(`no supported detection for ${entry.id}`);
    await this.detect(rule, seeded, entry, detection);
  }

  /**
   * Sends the user of a broken seeded connection through the vendor page (`hooks.completeReconnect`) and completes
   * the reconnect; webhooks the vendor sends about it are ingested after the callback (they must change nothing).
   */
  async reconnectThroughVendor(
    rule: string,
    seeded: Seeded,
  ): Promise<{ outcome: CompletionOutcome; after: Connection }> {
    const { host, connection } = seeded;
    const { action } = await host.service.startReconnection(connection.id, { redirectUri: this.redirectUri });
    const callback = await this.options.hooks.completeReconnect(action, this.env);
    check(callback, rule, `the vendor flow (${action.kind}) did not send the user back to the host`);
    const outcome = await host.service.completeReconnection(callback);
    await host.ingestAll();
    return { outcome, after: await host.service.getConnection(connection.id) };
  }

  /** Runs `entry` and detects it the given way; checks the state and the event the state must emit. */
  async detect(
    rule: string,
    seeded: Seeded,
    entry: ScenarioEntry,
    detection: Detection,
  ): Promise<Connection> {
    const { host, connection } = seeded;
    if ('target' in entry.input) await this.runScenario(seeded, entry);
    let after: Connection;
    switch (detection) {
      case 'webhook': {
        const results = await host.ingestAll();
        check(results.length > 0, rule, `the mock delivered no webhook for ${entry.id}`);
        after = await host.service.getConnection(connection.id);
        break;
      }
      case 'status_check':
        after = await host.service.checkStatus(connection.id);
        break;
      case 'api_error': {
        const callVendorApi = this.options.hooks.callVendorApi;
        check(callVendorApi, rule, 'api_error detection needs hooks.callVendorApi (a vendor data call)');
        const error = await callVendorApi(seeded.upstream, this.env);
        check(error !== undefined, rule, `the vendor data call did not fail during ${entry.id}`);
        after = await host.service.reportError(connection.id, error);
        break;
      }
      case 'reconnect_attempt': {
        const { action } = await host.service.startReconnection(connection.id, {
          redirectUri: this.redirectUri,
        });
        const callback = await this.options.hooks.completeReconnect(action, this.env);
        if (callback) await host.service.completeReconnection(callback).catch(ignoreReconnectKitError);
        await host.ingestAll();
        after = await host.service.getConnection(connection.id);
        break;
      }
    }
    check(
      after.state === entry.expected_state,
      rule,
      `${entry.id} detected by ${detection} left the connection in "${after.state}", expected "${entry.expected_state}" (vendor status ${JSON.stringify(after.vendor ?? null)})`,
    );
    const event = EVENT_FOR_STATE[entry.expected_state];
    if (event) {
      const types = await host.eventTypes(connection.id);
      check(
        types.includes(event),
        rule,
        `reaching "${entry.expected_state}" emitted no ${event} (got ${types.join(', ')})`,
      );
    }
    return after;
  }
}

function ignoreReconnectKitError(error: unknown): undefined {
  if (isReconnectKitError(error)) return undefined;
  throw error;
}

/**
 * Reads the provider's declared capabilities by building it once against a placeholder mock URL (nothing is
 * called). A provider that cannot be built reports no capabilities and fails the suite's first rule.
 */
export function probeCapabilities(options: ProviderConformanceOptions): ProviderCapabilities | Error {
  const env = mockEnv('http://127.0.0.1:9', 'http://127.0.0.1:9/webhooks');
  try {
    const container = rootContainer.createChildContainer();
    return options.provider({ container, config: options.config.valid(env), env }).capabilities;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

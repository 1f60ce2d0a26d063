import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got, with its exact bytes. */
export interface ReceivedWebhook {
  /** The request path (and query) it was posted to. */
  path: string;
  headers: IncomingHttpHeaders;
  bytes: Buffer;
  /** `bytes` as UTF-8 text. */
  body: string;
}

/** What the receiver does with the next request: answer with a status, or never answer. */
export type ReceiverBehaviour = number | 'hang';

export interface WebhookReceiverOptions {
  /** The path `url` points at (any path is accepted and recorded); default `/hooks`. */
  path?: string;
  /** Answers for the next requests, in order; then 200. */
  script?: ReceiverBehaviour[];
}

/** A local webhook receiver on port 0 that records every request's exact bytes and answers from a script (then 200). */
export async function startWebhookReceiver({ path = '/hooks', script = [] }: WebhookReceiverOptions = {}) {
  const received: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const bytes = Buffer.concat(chunks);
      received.push({ path: req.url ?? '/', headers: req.headers, bytes, body: bytes.toString('utf8') });
      const behaviour = script.shift() ?? 200;
      if (behaviour === 'hang') return;
      res.writeHead(behaviour).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

/** A mock server and the receiver it delivers to, for one test file; see `mockWithReceiver`. */
export interface MockWithReceiver<M> {
  /** The started mock; throws before `start()` resolved. */
  readonly mock: M;
  /** The started receiver; throws before `start()` resolved. */
  readonly receiver: WebhookReceiver;
  /** Starts the receiver, then the mock (given the receiver, e.g. for its `url`). */
  start: () => Promise<void>;
  /** Closes the mock, then the receiver. */
  close: () => Promise<void>;
}

/**
 * A receiver and a mock started together and closed together, e.g. `beforeAll(env.start); afterAll(env.close);`
 * with `env.mock` and `env.receiver` read inside tests and hooks.
 */
export function mockWithReceiver<M extends { close(): Promise<unknown> }>(
  startMock: (receiver: WebhookReceiver) => Promise<M>,
  options: WebhookReceiverOptions = {},
): MockWithReceiver<M> {
  let mock: M | undefined;
  let receiver: WebhookReceiver | undefined;
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('mockWithReceiver: read it after start() resolved');
    return value;
  };
  return {
    get mock() {
      return started(mock);
    },
    get receiver() {
      return started(receiver);
    },
    start: async () => {
      receiver = await startWebhookReceiver(options);
      mock = await startMock(receiver);
    },
    close: async () => {
      await mock?.close();
      await receiver?.close();
    },
  };
}

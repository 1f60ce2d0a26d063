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

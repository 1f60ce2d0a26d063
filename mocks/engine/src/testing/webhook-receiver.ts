import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Receipt {
  headers: IncomingHttpHeaders;
  bytes: Buffer;
}

/** What the receiver does with the next request: answer with a status, or never answer. */
export type ReceiverBehaviour = number | 'hang';

/** A local webhook receiver on port 0 that records exact bytes and answers from a script (then 200). */
export async function startReceiver(script: ReceiverBehaviour[] = []) {
  const receipts: Receipt[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      receipts.push({ headers: req.headers, bytes: Buffer.concat(chunks) });
      const behaviour = script.shift() ?? 200;
      if (behaviour === 'hang') return;
      res.writeHead(behaviour).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    receipts,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

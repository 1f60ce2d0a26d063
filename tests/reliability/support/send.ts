import { Agent, request } from 'node:http';

export interface Answer {
  /** HTTP status, or 0 when no answer came (connection refused or reset: the host died). */
  readonly status: number;
  readonly body: string;
}

export interface Delivery {
  readonly body: Uint8Array;
  readonly headers: Record<string, string>;
}

/** POSTs one delivery; a transport error becomes status 0 (the vendor would retry it later). */
export function post(agent: Agent, url: URL, delivery: Delivery): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...delivery.headers, 'content-length': String(delivery.body.byteLength) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', () => resolve({ status: 0, body: '' }));
      },
    );
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(delivery.body);
  });
}

/**
 * Sends every queue sequentially, all queues at once (one keep-alive socket each), like a vendor with one
 * delivery lane per account group. `onAnswer` sees each answer as it comes; returning `false` stops that lane.
 */
export async function sendQueues<T extends Delivery>(
  url: string,
  queues: readonly (readonly T[])[],
  onAnswer: (queue: number, index: number, answer: Answer) => boolean | undefined = () => undefined,
): Promise<Answer[][]> {
  const agent = new Agent({ keepAlive: true, maxSockets: queues.length });
  const target = new URL(url);
  try {
    return await Promise.all(
      queues.map(async (queue, q) => {
        const answers: Answer[] = [];
        for (const [i, delivery] of queue.entries()) {
          const answer = await post(agent, target, delivery);
          answers.push(answer);
          if (onAnswer(q, i, answer) === false) break;
        }
        return answers;
      }),
    );
  } finally {
    agent.destroy();
  }
}

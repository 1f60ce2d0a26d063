import { describe, expect, it } from 'vitest';
import { type AttemptOutcome, isRetryable, noResponseOutcome } from './retry-policy.js';

const status = (code: number): AttemptOutcome => ({ kind: 'response', status: code });
const sent: AttemptOutcome = { kind: 'no_response', sent: true };
const notSent: AttemptOutcome = { kind: 'no_response', sent: false };

describe('isRetryable', () => {
  it.each([
    // [method, outcome, retried?]
    ['GET', status(200), false],
    ['GET', status(400), false],
    ['GET', status(401), false],
    ['GET', status(403), false],
    ['GET', status(404), false],
    ['GET', status(408), false],
    ['GET', status(409), false],
    ['GET', status(422), false],
    ['GET', status(429), true],
    ['GET', status(500), true],
    ['GET', status(501), false],
    ['GET', status(502), true],
    ['GET', status(503), true],
    ['GET', status(504), true],
    ['GET', status(505), false],
    ['GET', sent, true],
    ['GET', notSent, true],
    ['DELETE', status(503), true],
    ['PUT', sent, true],
    ['HEAD', status(502), true],
    // Non-idempotent: only when the server cannot have acted.
    ['POST', status(429), true],
    ['POST', notSent, true],
    ['POST', status(500), false],
    ['POST', status(502), false],
    ['POST', status(503), false],
    ['POST', sent, false],
    ['POST', status(400), false],
    ['PATCH', status(503), false],
    ['PATCH', status(429), true],
    ['post', status(503), false],
  ] as const)('%s answered %j → retried: %s', (method, outcome, expected) => {
    expect(isRetryable(method, outcome)).toBe(expected);
  });
});

describe('noResponseOutcome', () => {
  const fetchFailed = (code?: string) => Object.assign(new TypeError('fetch failed'), { cause: { code } });

  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])(
    'a %s failure never reached the server',
    (code) => {
      expect(noResponseOutcome(fetchFailed(code))).toEqual(notSent);
    },
  );

  it.each([['ECONNRESET'], ['UND_ERR_SOCKET'], [undefined]])('%s may have reached the server', (code) => {
    expect(noResponseOutcome(fetchFailed(code))).toEqual(sent);
  });

  it('a timeout or an error without a cause may have reached the server', () => {
    expect(noResponseOutcome(new DOMException('late', 'TimeoutError'))).toEqual(sent);
    expect(noResponseOutcome(undefined)).toEqual(sent);
  });
});

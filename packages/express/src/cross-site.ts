import { ReconnectKitError } from '@reconnect-kit/core';

/** What the cross-site check needs from a request. */
export interface OriginFacts {
  readonly headers: Headers;
  /** The `Host` the client addressed (`host[:port]`), when known. */
  readonly host: string | undefined;
}

/**
 * Refuses cross-site browser requests to a state-changing route, the way Go's `http.CrossOriginProtection` does:
 * `Sec-Fetch-Site` decides when the browser sent it (`same-origin` or `none` pass); otherwise an `Origin` must name
 * the host the request was sent to; a request with neither header is not from a browser that could be forged
 * into sending it (server-to-server, native apps, curl). Origins in `trusted` always pass.
 */
export function createCrossSiteCheck(
  trustedOrigins: readonly string[] = [],
): (request: OriginFacts) => boolean {
  const trusted = new Set(trustedOrigins.map(normalizeTrustedOrigin));
  return ({ headers, host }) => {
    const origin = headers.get('origin');
    if (origin !== null && trusted.has(origin)) return true;
    const site = headers.get('sec-fetch-site');
    if (site !== null) return site === 'same-origin' || site === 'none';
    if (origin === null) return true;
    return host !== undefined && URL.canParse(origin) && new URL(origin).host === host.toLowerCase();
  };
}

function normalizeTrustedOrigin(value: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url === undefined || url.origin === 'null' || url.origin !== value.replace(/\/$/, '')) {
    throw new ReconnectKitError('config_invalid', {
      message: `trustedOrigins: "${value}" is not an origin (scheme://host[:port], no path), e.g. "https://app.example.com".`,
    });
  }
  return url.origin;
}

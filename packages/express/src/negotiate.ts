/**
 * How much a client's `Accept` header wants `mediaType` (its q-value, 0 when not acceptable).
 * The most specific matching range wins, as RFC 9110 §12.5.1 says.
 */
export function acceptQuality(accept: string | null, mediaType: string): number {
  if (!accept) return 0;
  const [type] = mediaType.split('/');
  let best = { specificity: -1, quality: 0 };
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const specificity = range === mediaType ? 2 : range === `${type}/*` ? 1 : range === '*/*' ? 0 : -1;
    if (specificity <= best.specificity) continue;
    const q = params.find((p) => p.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    best = { specificity, quality: Number.isFinite(quality) ? quality : 0 };
  }
  return best.quality;
}

/** True when the client ranks HTML above JSON (a browser navigation or form post). */
export function prefersHtml(accept: string | null): boolean {
  return acceptQuality(accept, 'text/html') > acceptQuality(accept, 'application/json');
}

/** True when the client ranks JSON above HTML (a `fetch` call from the host's front end). */
export function prefersJson(accept: string | null): boolean {
  return acceptQuality(accept, 'application/json') > acceptQuality(accept, 'text/html');
}

/** Where the mock Link page lives (Argyle hosts Link on its own domain; the mock serves it on its port). */
export const LINK_PATH = '/link';

/** A user's shareable Link URL path: opens Link for that user's connections; it never expires. */
export function sharePath(shareId: string): string {
  return `${LINK_PATH}/share/${encodeURIComponent(shareId)}`;
}

/** An invite's hosted Link URL. Like Argyle's `https://verify.argyle.com/connect/<id>`, it never expires. */
export function inviteUrl(baseUrl: string, inviteId: string): string {
  return `${baseUrl}${LINK_PATH}?invite=${encodeURIComponent(inviteId)}`;
}

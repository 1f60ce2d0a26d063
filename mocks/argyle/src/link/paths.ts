/** Where the mock Link page lives (Argyle hosts Link on its own domain; the mock serves it on its port). */
export const LINK_PATH = '/link';

/** An invite's hosted Link URL. Like Argyle's `https://verify.argyle.com/connect/<id>`, it never expires. */
export function inviteUrl(baseUrl: string, inviteId: string): string {
  return `${baseUrl}${LINK_PATH}?invite=${encodeURIComponent(inviteId)}`;
}

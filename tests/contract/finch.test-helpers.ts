/**
 * Plumbing shared by the Finch contract tests: the Connect page driver. The webhook receiver and the admin API
 * client are the conformance suite's harness (`@reconnect-kit/contract-tests`), re-exported here.
 */
export type { Delivery } from '@reconnect-kit/contract-tests';
export { mockAdmin, startWebhookReceiver } from '@reconnect-kit/contract-tests';

const decodeEntities = (value: string) =>
  value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

/**
 * Plays the employer on the mock's Connect page with plain HTTP: loads the page, posts its form with the sandbox
 * login, and returns the URL of the 302 back to the host (`?code=…&state=…`).
 */
export async function employerLogsIn(
  connectUrl: string,
  login: { username: string; password: string } = { username: 'good_user', password: 'good_pass' },
): Promise<URL> {
  const page = await fetch(connectUrl);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`Connect page answered ${page.status}: ${html}`);
  const fields = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields.set(decodeEntities(match[1] ?? ''), decodeEntities(match[2] ?? ''));
  }
  fields.set('username', login.username);
  fields.set('password', login.password);
  const action = new URL(
    decodeEntities(html.match(/<form[^>]*action="([^"]+)"/)?.[1] ?? '/authorize'),
    connectUrl,
  );
  const submitted = await fetch(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: fields.toString(),
    redirect: 'manual',
  });
  const location = submitted.headers.get('location');
  if (submitted.status !== 302 || location === null) {
    throw new Error(`Connect login answered ${submitted.status}: ${await submitted.text()}`);
  }
  return new URL(location);
}

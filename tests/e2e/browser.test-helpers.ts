/** Launching Debian's Chromium for the browser tests (never `playwright install`). */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type HostAppOptions, type RunningHostApp, startHostApp } from '../../examples/host-app/src/index.js';

/**
 * Debian's `chromium-headless-shell` first: Chromium's own headless build, the one Playwright launches for headless
 * runs. It drives the same engine as the full browser at about half the CPU (18 against 35 core-seconds for the
 * dashboard file on the 2-core machine), and the browser tests were a quarter of `pnpm test`'s CPU. The full
 * `chromium` is the fallback for a machine that has only it.
 */
const CHROMIUM_CANDIDATES = ['/usr/bin/chromium-headless-shell', '/usr/bin/chromium'];
const INSTALL_HINT = 'apt-get install -y chromium-headless-shell';

export const CHROMIUM_PATH = CHROMIUM_CANDIDATES.find((candidate) => existsSync(candidate));

/**
 * Whether the browser tests can run. Without Chromium they are skipped locally (with a message saying how to
 * install it) and fail on CI, where `.ci/run` installs it.
 */
export function chromiumAvailable(): boolean {
  if (CHROMIUM_PATH) return true;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(
      `Chromium is missing on CI (looked for ${CHROMIUM_CANDIDATES.join(', ')}): ${INSTALL_HINT}`,
    );
  }
  console.warn(
    `Skipping the browser e2e tests: no Chromium at ${CHROMIUM_CANDIDATES.join(' or ')}. Install it with ` +
      `\`sudo apt-get update && sudo ${INSTALL_HINT}\`.`,
  );
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * `docs/screenshots` is committed and shown in the docs; PNGs differ byte for byte between runs even when nothing
 * visible changed. So screenshots are taken only when asked for (each full-page PNG costs Chromium about 0.4 s of
 * CPU, two seconds of every `pnpm test`): `UPDATE_SCREENSHOTS=1` refreshes the docs' copies, `SCREENSHOTS=1`
 * writes them to the git-ignored `test-results/screenshots` to look at.
 */
const asked = (name: string) => ['1', 'true'].includes(process.env[name] ?? '');
const SCREENSHOTS_DIR = asked('UPDATE_SCREENSHOTS')
  ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
  : asked('SCREENSHOTS')
    ? fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url))
    : undefined;

/** Saves the page to `<SCREENSHOTS_DIR>/<name>.png` when screenshots were asked for. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS_DIR) return;
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS_DIR}${name}.png`, fullPage: true });
}

/** The example host app and a Chromium page, fresh for every test; see `useHostAppInChromium`. */
export interface HostAppInChromium {
  readonly app: RunningHostApp;
  readonly page: Page;
  /** The seeded connection ids (the app is started with seed data). */
  seeded(): NonNullable<RunningHostApp['seeded']>;
  /** A connection's card on the dashboard. */
  card(connectionId: string): Locator;
  /** Replaces this test's host app with one started with `options` (closed like the first). */
  restartApp(options: HostAppOptions): Promise<void>;
}

/**
 * For a describe block: one Chromium and one browser context for the file, and a fresh host app (mocks, store,
 * seed; started with `options()`), page and cookie jar per test, so no test depends on another's clicks.
 */
export function useHostAppInChromium(options: () => HostAppOptions = () => ({ port: 0 })): HostAppInChromium {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let app: RunningHostApp | undefined;
  let page: Page | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    context.setDefaultTimeout(10_000);
  });
  afterAll(async () => {
    await context?.close();
    await app?.close();
    await browser?.close();
  });
  beforeEach(async () => {
    await page?.close();
    await app?.close();
    // A context per test cost Chromium a renderer and a network context each (about a fifth of the file's CPU).
    // What a test could leave behind is reset instead: cookies are per host, not per port, so every host app
    // would see the previous one's; storage is per origin, and each host app gets a new port.
    await started(context).clearCookies();
    app = await startHostApp(options());
    page = await started(context).newPage();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useHostAppInChromium: read it inside a test or hook');
    return value;
  };
  const session: HostAppInChromium = {
    get app() {
      return started(app);
    },
    get page() {
      return started(page);
    },
    seeded() {
      const { seeded } = session.app;
      if (!seeded) throw new Error('the host app was started without seed data');
      return seeded;
    },
    card: (connectionId) => session.page.locator(`article[data-connection-id="${connectionId}"]`),
    async restartApp(restartOptions) {
      await app?.close();
      app = await startHostApp(restartOptions);
    },
  };
  return session;
}

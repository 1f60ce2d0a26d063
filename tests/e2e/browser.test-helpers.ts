/** Launching Debian's Chromium for the browser tests (never `playwright install`). */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Whether the browser tests can run. Without Chromium they are skipped locally (with a message saying how to
 * install it) and fail on CI, where `.ci/run` installs it.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH} on CI: apt-get install -y chromium`);
  }
  console.warn(
    `Skipping the browser e2e tests: no Chromium at ${CHROMIUM_PATH}. Install it with ` +
      '`sudo apt-get update && sudo apt-get install -y chromium`.',
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
 * visible changed, so a plain run writes to the git-ignored `test-results/screenshots` and leaves the working
 * tree clean. `UPDATE_SCREENSHOTS=1` refreshes the docs' copies instead.
 */
const SCREENSHOTS_DIR = fileURLToPath(
  new URL(
    ['1', 'true'].includes(process.env.UPDATE_SCREENSHOTS ?? '')
      ? '../../docs/screenshots/'
      : '../../test-results/screenshots/',
    import.meta.url,
  ),
);

/** Saves the page to `<SCREENSHOTS_DIR>/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS_DIR}${name}.png`, fullPage: true });
}

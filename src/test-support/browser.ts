/**
 * Headless chromium for the browser tests: Debian's /usr/bin/chromium driven by playwright-core
 * (a browser is never downloaded). Screenshots go to `test-output/screenshots/`.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { requireTool } from './tools.js';

/** Where the test run saves screenshots of the pages. */
export const screenshotsDir = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));

/** Whether the browser tests can run here (chromium installed; under CI its absence fails). */
export function browserAvailable(): boolean {
  return requireTool('chromium');
}

/** Launches headless chromium with the flags a sandboxless CI container needs. */
export async function launchBrowser(): Promise<Browser> {
  await mkdir(screenshotsDir, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Collects the page's console errors and uncaught exceptions, so that a test can require none. */
export function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/**
 * The visible buttons, fields, menus and links of the page that have no accessible name (no
 * label, aria-label or text), as HTML snippets: keyboard and screen-reader users cannot tell
 * what they do.
 */
export function unlabelledControls(page: Page): Promise<string[]> {
  return page.locator('button, input, select, textarea, a[href], [role=slider]').evaluateAll((elements) =>
    elements
      .filter((element) => (element as HTMLElement).offsetParent !== null || element.getAttribute('type') === 'file')
      .filter((element) => {
        const labels = (element as HTMLInputElement).labels;
        return !(labels && labels.length > 0) && !element.getAttribute('aria-label') && !element.getAttribute('aria-labelledby') && !element.textContent?.trim();
      })
      .map((element) => element.outerHTML.slice(0, 120)),
  );
}

/**
 * Time to the first complete view of the map review page: from navigation to the moment all its
 * maps are idle with the suspects and the orthophotos drawn (the page's `review:first-view`
 * performance mark), in headless Debian chromium (software WebGL) at 1400 × 900, on the fixture
 * scene served by `zhiwei serve`. Cold: a service just started with its tile cache emptied (every
 * orthophoto tile reprojected from the GeoTIFFs) and a new browser context; warm: the same service
 * again (tiles from its disk cache), a new browser context (nothing in the browser's cache). The reviewer's token is
 * put in the session beforehand, so sign-in takes no typing. One JSON line per run, then medians.
 *
 *   npx tsx bench/review-first-view.ts [--runs 3]
 */
import type { Browser } from 'playwright-core';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser } from '../src/test-support/browser.js';
import { openWebScene, type WebScene } from '../src/test-support/web-scene.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(args.runs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** One navigation in a new context: the first-view mark (ms from navigation start) and what was fetched. */
async function firstView(browser: Browser, scene: WebScene) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
  await context.addInitScript((token) => sessionStorage.setItem('zhiwei.token', token), scene.tokens.reviewer);
  const page = await context.newPage();
  const tiles = { raster: 0, vector: 0 };
  page.on('response', (response) => {
    const { pathname } = new URL(response.url());
    if (/^\/api\/v1\/jobs\/\d+\/tiles\/./.test(pathname)) tiles.raster++;
    else if (pathname.startsWith('/api/v1/tiles/')) tiles.vector++;
  });
  await page.goto(`${scene.server.address}/review`);
  await page.waitForFunction(() => performance.getEntriesByName('review:first-view').length > 0, undefined, { timeout: 120_000 });
  const ms = await page.evaluate(() => performance.getEntriesByName('review:first-view')[0].startTime);
  const casesInView = Number(await page.locator('#map-count').textContent());
  await context.close();
  return { first_view_ms: Math.round(ms), cases_in_view: casesInView, raster_tiles: tiles.raster, vector_tiles: tiles.vector };
}

const scene = await openWebScene('bench-review');
const browser = await launchBrowser();
try {
  const times: Record<'cold' | 'warm', number[]> = { cold: [], warm: [] };
  for (let run = 1; run <= runs; run++) {
    await scene.stop();
    await rm(join(scene.cli.env.ZHIWEI_DATA_DIR, 'tiles'), { recursive: true, force: true });
    await scene.start();
    for (const cache of ['cold', 'warm'] as const) {
      const result = await firstView(browser, scene);
      times[cache].push(result.first_view_ms);
      console.log(JSON.stringify({ bench: 'review-first-view', cache, run, ...result }));
    }
  }
  console.log(JSON.stringify({ bench: 'review-first-view', runs, cold_median_ms: median(times.cold), warm_median_ms: median(times.warm) }));
} finally {
  await browser.close();
  await scene.close();
}

/**
 * End to end in a real browser: the map review page after a real `zhiwei survey` (a small DSM
 * with two buildings, one legal, one without a permit and with a stair room on its roof). The
 * reviewer picks the survey in the job menu, sees its suspects in the list and its buildings drawn
 * from the register's tiles, opens the legal building on the map and reads its measurements, with
 * the register's legality in the legend, in Chinese and in English.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lonLatToMercator } from '../../src/geo/web-mercator.js';
import { browserAvailable, consoleErrors, launchBrowser, screenshotsDir } from '../../src/test-support/browser.js';
import { openSurveyScene, type SurveyScene } from '../../src/test-support/web-scene.js';

/** Web Mercator metres a screen pixel spans at zoom `z` (MapLibre draws 512-pixel tiles). */
const metresPerPixel = (z: number) => (2 * Math.PI * 6378137) / (512 * 2 ** z);

describe.skipIf(!browserAvailable())('the review page after a survey', () => {
  let scene: SurveyScene;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  /** Tile URLs (path and query) the page received with 200. */
  const tilesLoaded: string[] = [];
  const call = async (path: string) => {
    const response = await fetch(`${scene.server.address}/api/v1${path}`, { headers: { authorization: `Bearer ${scene.token}` } });
    expect(response.ok, `${path}: ${response.status}`).toBe(true);
    return response.json();
  };
  const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000 });

  beforeAll(async () => {
    scene = await openSurveyScene('survey-page');
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' });
    errors = consoleErrors(page);
    // software WebGL on a loaded machine can put a map's first frame off for seconds: the page's
    // animation frames are held until the test lets them go, after the reviewer has chosen the job
    await page.addInitScript(() => {
      const request = window.requestAnimationFrame.bind(window);
      let held: FrameRequestCallback[] | null = [];
      window.requestAnimationFrame = (callback) => (held ? (held.push(callback), 0) : request(callback));
      Object.assign(window, {
        releaseFrames: () => {
          for (const callback of held ?? []) request(callback);
          held = null;
        },
      });
    });
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (response.status() === 200 && url.pathname.startsWith('/api/v1/tiles/')) tilesLoaded.push(`${url.pathname}${url.search}`);
    });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await scene?.close();
  });

  it("shows the survey in the job menu, its suspects in the list and its buildings on the map; a click opens a building's measurements", async () => {
    const { jobs } = await call('/jobs?limit=10');
    const survey = jobs.find((j: { kind: string }) => j.kind === 'survey');
    const { cases } = await call(`/cases?job=${survey.id}&limit=500`);
    // the stair room on the building without a permit is part of that building's case
    expect(cases.map((c: { change_kind: string; violation: string }) => [c.change_kind, c.violation])).toEqual([['new_building', 'no_permit']]);
    const { buildings } = await call(`/buildings?job=${survey.id}`);
    expect(buildings.map((b: { legality: string; floors: number }) => [b.legality, b.floors]).sort()).toEqual([['legal', 3], ['suspect', 2]]);
    const legal = buildings.find((b: { legality: string }) => b.legality === 'legal');

    await page.goto(`${scene.server.address}/review`);
    await page.getByLabel('访问令牌').fill(scene.token);
    await page.getByRole('button', { name: '登录' }).click();
    const menu = page.getByLabel('飞行批次');
    await eventually(() => menu.locator('option').allTextContents()).toContain(`普查：${scene.flightDate}`);
    await menu.selectOption({ label: `普查：${scene.flightDate}` });
    await page.evaluate(() => (window as unknown as { releaseFrames(): void }).releaseFrames());
    await eventually(() => page.locator('#case-list button').count()).toBe(1);
    // software WebGL on a loaded CI machine can take a while to ask for the first tiles
    await expect.poll(() => tilesLoaded.some((url) => url.startsWith('/api/v1/tiles/buildings/') && url.endsWith(`?job=${survey.id}`)), { timeout: 60_000 }).toBe(true);

    // the building case flies into view at the deepest zoom (20): the legal building lies beside it
    const building = cases.find((c: { change_kind: string }) => c.change_kind === 'new_building');
    await page.locator(`#case-list button[data-id="${building.id}"]`).click();
    await eventually(() => page.locator('#case-title').textContent()).toBe(`案件 ${building.id}`);
    await page.getByRole('button', { name: '关闭' }).click();
    await page.waitForSelector('#map-area[aria-busy=false]');
    const ring: [number, number][] = building.outline.coordinates[0][0];
    const [cx, cy] = centre(ring.map((p) => lonLatToMercator(p)));
    const [bx, by] = centre(scene.legalBuilding.map((p) => lonLatToMercator(p)));
    const box = (await page.locator('#map-overlay').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2 + (bx - cx) / metresPerPixel(20), box.y + box.height / 2 - (by - cy) / metresPerPixel(20));

    await eventually(() => page.locator('#building-title').textContent()).toBe(`建筑 ${legal.id}`);
    const terms = await page.locator('#building-measures dt').allTextContents();
    const values = await page.locator('#building-measures dd').allTextContents();
    expect(Object.fromEntries(terms.map((term, i) => [term, values[i]]))).toMatchObject({
      占地面积: `${legal.area_m2.toFixed(1)} 平方米`, 层数: '3', 屋顶形式: '平顶', 合法性: '合法', 违法类型: '无违法', 许可证号: '建字第2010001号', 最近普查: scene.flightDate,
    });
    expect(await page.locator('#building-surveys td').allTextContents()).toContain(scene.flightDate);
    expect(await page.locator('#building-panel').innerText()).not.toMatch(/[a-z]{2,}/);
    await page.screenshot({ path: join(screenshotsDir, 'review-survey.png') });

    await page.locator('#legend summary').click();
    expect(await page.locator('#legend li').allTextContents()).toEqual(expect.arrayContaining(['合法', '疑似违法']));
    await page.getByLabel('语言').selectOption('en');
    await eventually(() => page.locator('#building-title').textContent()).toBe(`Building ${legal.id}`);
    expect(await page.locator('#building-measures').innerText()).toContain('Flat');
    expect(await page.locator('#filter-job option').allTextContents()).toContain(`Survey: ${scene.flightDate}`);
    expect(errors).toEqual([]);
  }, 150_000);
});

/** The centre of the bounds of the points. */
function centre(points: [number, number][]): [number, number] {
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  return [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
}

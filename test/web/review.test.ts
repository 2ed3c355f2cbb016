/**
 * End to end in a real browser: the map review page, served by the real `zhiwei serve` on the
 * detected fixture scene. A reviewer signs in, sees every suspect in the list and on the
 * orthophotos, filters them, selects cases from the list and from the map, triages and
 * dispatches one, is refused a dismissal without a reason, and switches the page to English.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, consoleErrors, launchBrowser, screenshotsDir, unlabelledControls } from '../../src/test-support/browser.js';
import { openWebScene, type WebScene } from '../../src/test-support/web-scene.js';

describe.skipIf(!browserAvailable())('the map review page', () => {
  let scene: WebScene;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  /** Tile URLs (path only) the page received with 200. */
  const tilesLoaded: string[] = [];
  const call = async (path: string) => {
    const response = await fetch(`${scene.server.address}/api/v1${path}`, { headers: { authorization: `Bearer ${scene.tokens.reviewer}` } });
    expect(response.ok, `${path}: ${response.status}`).toBe(true);
    return response.json();
  };
  const rows = () => page.locator('#case-list button');
  const row = (id: number) => page.locator(`#case-list button[data-id="${id}"]`);
  const inView = async () => Number(await page.locator('#map-count').textContent());
  const settled = () => page.waitForSelector('#map-area[aria-busy=false]');
  // the service renders orthophoto tiles meanwhile: give the page more than poll's default second
  const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000 });

  beforeAll(async () => {
    scene = await openWebScene('review');
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    errors = consoleErrors(page);
    page.on('response', (response) => {
      const { pathname } = new URL(response.url());
      if (response.status() === 200 && /\/tiles\//.test(pathname)) tilesLoaded.push(pathname);
    });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await scene?.close();
  });

  it('signs the reviewer in and shows every suspect in the list and on the orthophotos', async () => {
    const { cases } = await call('/cases?limit=500');
    expect(cases.length).toBeGreaterThan(3);
    await page.goto(`${scene.server.address}/review`);
    await page.getByLabel('访问令牌').fill(scene.tokens.reviewer);
    await page.getByRole('button', { name: '登录' }).click();
    await eventually(() => rows().count()).toBe(cases.length);
    expect(await rows().first().getAttribute('data-id')).toBe(String(cases[0].id));
    await settled();
    await eventually(inView).toBe(cases.length);
    for (const layer of ['before', 'after', 'cases']) expect(tilesLoaded.some((path) => path.includes(`/${layer}/`)), `${layer} tiles`).toBe(true);
    expect(await page.locator('#stats').textContent()).toContain(`已发现${cases.length}`);
    expect(await page.locator('#stats').textContent()).toContain('逾期0');
    expect(await page.locator('#case-list').innerText()).not.toMatch(/[a-z]{2,}/);
    await page.screenshot({ path: join(screenshotsDir, 'review.png') });
  }, 90_000);

  it('narrows the list and the map together with a violation filter, and widens them again', async () => {
    const { cases: all } = await call('/cases?limit=500');
    const { cases: higher } = await call('/cases?violation=exceeds_permitted_height&limit=500');
    expect(higher.length).toBeGreaterThan(0);
    expect(higher.length).toBeLessThan(all.length);
    await page.getByText('筛选', { exact: true }).click();
    await page.getByRole('group', { name: '违法类型' }).getByLabel('超出许可高度').check();
    await eventually(() => rows().count()).toBe(higher.length);
    await eventually(inView).toBe(higher.length);
    await page.getByRole('button', { name: '清除筛选' }).click();
    await eventually(() => rows().count()).toBe(all.length);
    await eventually(inView).toBe(all.length);
  }, 60_000);

  it('selects a case clicked in the list on the map, and a case clicked on the map in the list', async () => {
    const { cases } = await call('/cases?limit=500');
    const largest = [...cases].sort((a, b) => b.area_m2 - a.area_m2)[0];
    await row(largest.id).click();
    await eventually(() => row(largest.id).getAttribute('aria-pressed')).toBe('true');
    await eventually(() => page.locator('#case-title').textContent()).toBe(`案件 ${largest.id}`);
    await eventually(() => page.locator('#case-evidence img[src^="blob:"]').count()).toBe(3);
    await settled();
    await page.screenshot({ path: join(screenshotsDir, 'review-case.png') });
    await page.getByRole('button', { name: '关闭' }).click();
    await eventually(() => page.locator('#case-list button[aria-pressed=true]').count()).toBe(0);
    // the divider sits in the middle of the map, where the case now is: move it aside by keyboard
    const divider = page.getByRole('slider', { name: '前后期影像分隔线' });
    await divider.focus();
    await page.keyboard.press('End');
    expect(await divider.getAttribute('aria-valuenow')).toBe('100');
    await settled();
    const box = (await page.locator('#map-overlay').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await eventually(() => row(largest.id).getAttribute('aria-pressed')).toBe('true');
    await eventually(() => page.locator('#case-title').textContent()).toBe(`案件 ${largest.id}`);
  }, 60_000);

  it('triages, then dispatches the case; the API shows it dispatched with two more events, the page refreshes', async () => {
    const id = Number(await page.locator('#case-list button[aria-pressed=true]').getAttribute('data-id'));
    const before = await call(`/cases/${id}`);
    const caseTiles = () => tilesLoaded.filter((path) => path.startsWith('/api/v1/tiles/cases/')).length;
    const caseTilesBefore = caseTiles();
    await page.getByLabel('备注（排除时必须填写理由）').fill('影像清晰，新建两层');
    await page.locator('#action-buttons').getByRole('button', { name: '研判' }).click();
    await eventually(async () => (await call(`/cases/${id}`)).state).toBe('triaged');
    await page.locator('#action-buttons').getByRole('button', { name: '派发' }).click();
    await eventually(async () => (await call(`/cases/${id}`)).state).toBe('dispatched');
    const after = await call(`/cases/${id}`);
    expect(after.events.length).toBe(before.events.length + 2);
    expect(after.events.at(-2)).toMatchObject({ to_state: 'triaged', actor: 'li.wei', note: '影像清晰，新建两层', prev_hash: before.events.at(-1).hash });
    expect(after.events.at(-1)).toMatchObject({ to_state: 'dispatched', actor: 'li.wei' });
    await eventually(() => row(id).locator('.case-state').textContent()).toBe('已派发');
    await eventually(() => page.locator('#case-events li').count()).toBe(after.events.length);
    await eventually(() => page.locator('#stats').textContent()).toContain('已派发1');
    await eventually(caseTiles).toBeGreaterThan(caseTilesBefore);
    expect(await page.locator('#action-buttons button').count()).toBe(0);
  }, 60_000);

  it('refuses a dismissal without a reason, and records one with a reason as its note', async () => {
    const { cases } = await call('/cases?state=detected&limit=500');
    const { id } = cases[0];
    await row(id).click();
    await eventually(() => page.locator('#case-title').textContent()).toBe(`案件 ${id}`);
    const dismiss = page.locator('#action-buttons').getByRole('button', { name: '排除' });
    await dismiss.click();
    expect(await page.locator('#action-note').evaluate((note: HTMLTextAreaElement) => note.validationMessage)).toBe('排除须填写理由');
    const unchanged = await call(`/cases/${id}`);
    expect(unchanged.state).toBe('detected');
    expect(unchanged.events.length).toBe(1);
    await page.getByLabel('备注（排除时必须填写理由）').fill('临时工棚，已拆除');
    await dismiss.click();
    await eventually(async () => (await call(`/cases/${id}`)).state).toBe('dismissed');
    expect((await call(`/cases/${id}`)).events.at(-1)).toMatchObject({ to_state: 'dismissed', note: '临时工棚，已拆除' });
  }, 60_000);

  it('speaks Chinese on the panel, and shows the later permit of a case without one as not valid on its flight date', async () => {
    const { cases } = await call('/cases?violation=no_permit&limit=500');
    const later = cases.find((c: { permit_no: string | null }) => c.permit_no !== null);
    expect(later, 'a no_permit case beside a permit valid only after the flight').toBeDefined();
    await row(later.id).click();
    await eventually(() => page.locator('#case-title').textContent()).toBe(`案件 ${later.id}`);
    const plan = page.locator('#case-plan');
    await eventually(() => plan.textContent()).toContain('无覆盖此处的有效规划许可');
    const { plans } = await call(`/plans?permit_no=${encodeURIComponent(later.permit_no)}&limit=1`);
    expect(await plan.locator('dd').allTextContents()).toEqual(['无证建设', '无覆盖此处的有效规划许可', `${later.permit_no}（航飞日期未生效，${plans[0].valid_from} 起有效）`]);
    await eventually(() => page.locator('#case-events li').count()).toBeGreaterThan(0);
    expect(await page.locator('#case-history td').allTextContents()).toContain(`许可 ${later.permit_no} 自 ${plans[0].valid_from} 起才生效，航飞日期无有效许可`);
    // no English word outside data values (the actor, the shortened hashes)
    const text = (await page.locator('#case-panel').innerText()).replace(/zhiwei detect|li\.wei/g, '').replace(/[0-9a-f]{10}…/g, '');
    expect(text).not.toMatch(/[a-z]{2,}/);
    // event kinds in words, times with their zone
    expect(await page.locator('#case-events li').first().textContent()).toMatch(/^1\. 发现 · .+ · .*(UTC|GMT)/);
    // the site history's short columns keep to one line; only the decision wraps
    const firstRow = page.locator('#case-history tbody tr').first().locator('td');
    expect(await firstRow.evaluateAll((cells) => cells.map((cell) => getComputedStyle(cell).whiteSpace))).toEqual(['nowrap', 'nowrap', 'nowrap', 'normal', 'nowrap']);
    // the change kind's text lies on one line (one line box), however tall the decision makes the row
    expect(await firstRow.nth(1).evaluate((cell) => {
      const range = document.createRange();
      range.selectNodeContents(cell);
      return range.getClientRects().length;
    })).toBe(1);
  }, 60_000);

  it('has a legend of state outlines, violation fills, building legality and the height-change ramp, and keeps grid ids whole in the list', async () => {
    await page.locator('#legend summary').click();
    const items = page.locator('#legend li');
    expect(await items.count()).toBe(10 + 5 + 2);
    expect(await items.allTextContents()).toContain('已派发');
    expect(await items.allTextContents()).toContain('无证建设');
    expect(await page.locator('#legend .ramp-scale').textContent()).toBe('−10 米0 米+10 米');
    expect(await page.locator('#legend').innerText()).not.toMatch(/[a-z]{2,}/);
    const grid = page.locator('#case-list .grid-id').first();
    expect(await grid.textContent()).toMatch(/^WG-\d\d-\d\d$/);
    expect(await grid.evaluate((node) => getComputedStyle(node).whiteSpace)).toBe('nowrap');
    await page.locator('#legend summary').click();
  }, 60_000);

  it('relabels the page in English from the language menu', async () => {
    await page.getByLabel('语言').selectOption('en');
    expect(await page.locator('body > header h1').textContent()).toBe('Map review');
    expect(await page.locator('#case-panel h3').allTextContents()).toEqual(['Measurements', 'Plan check', 'Decision', 'Site history', 'Event chain']);
    expect(await page.locator('#case-list .case-state').allTextContents()).toContain('Dispatched');
    expect(await page.locator('#stats').textContent()).toContain('Open cases');
    // the panel still shows the case without a permit, now in English
    await eventually(() => page.locator('#case-plan').textContent()).toContain('(not valid on the flight date: valid from');
    expect(await page.locator('#case-history').textContent()).toContain('is valid only from');
    expect(await page.getByRole('slider').getAttribute('aria-label')).toBe('Before/after divider');
    await page.screenshot({ path: join(screenshotsDir, 'review-case-en.png') });
    expect(await unlabelledControls(page)).toEqual([]);
  });

  it('wrote nothing to the console', () => {
    expect(errors).toEqual([]);
  });
});

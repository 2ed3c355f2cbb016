/**
 * End to end in a real browser: the field page on a 390 × 844 phone viewport, served by the real
 * `zhiwei serve` on the detected fixture scene. An officer signs in, sees their dispatched cases
 * nearest first, records a verdict with a photo and the GPS fix, and a verdict made while the
 * service is down arrives once it is back.
 */
import sharp from 'sharp';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, consoleErrors, launchBrowser, screenshotsDir, unlabelledControls } from '../../src/test-support/browser.js';
import { openWebScene, type WebScene } from '../../src/test-support/web-scene.js';

describe.skipIf(!browserAvailable())('the field page', () => {
  let scene: WebScene;
  let browser: Browser;
  let context: BrowserContext;
  let dispatched: { id: number; centre: [number, number] }[];
  const errors: string[][] = [];
  // the default second of expect.poll is too short for a page on a loaded machine
  const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000 });
  const call = async (token: string, path: string, init: RequestInit = {}) => {
    const response = await fetch(`${scene.server.address}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
    expect(response.ok, `${path}: ${response.status}`).toBe(true);
    return response.json();
  };

  beforeAll(async () => {
    scene = await openWebScene('field');
    const { cases } = await call(scene.tokens.officer, '/cases?limit=500');
    expect(cases.length).toBeGreaterThanOrEqual(2);
    dispatched = [];
    for (const c of cases.slice(0, 2)) {
      await call(scene.tokens.reviewer, `/cases/${c.id}/triage`, { method: 'POST', body: '{}' });
      await call(scene.tokens.reviewer, `/cases/${c.id}/dispatch`, { method: 'POST', body: '{}' });
      const ring: number[][] = c.outline.coordinates[0][0];
      dispatched.push({ id: c.id, centre: [ring.reduce((s, p) => s + p[0], 0) / ring.length, ring.reduce((s, p) => s + p[1], 0) / ring.length] });
    }
    browser = await launchBrowser();
    // standing about 30 m south of the second case, so that it is the nearest
    const [lon, lat] = dispatched[1].centre;
    context = await browser.newContext({ viewport: { width: 390, height: 844 }, permissions: ['geolocation'], geolocation: { longitude: lon, latitude: lat - 0.00027, accuracy: 5 }, locale: 'zh-CN' });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await scene?.close();
  });

  async function signedIn(path: string): Promise<Page> {
    const page = await context.newPage();
    errors.push(consoleErrors(page));
    await page.goto(`${scene.server.address}${path}`);
    // a new tab has a sessionStorage of its own, so it always asks for the token: wait for the form
    // (checking at once raced the page's script and could skip signing in)
    await page.locator('#login-token').waitFor({ state: 'visible' });
    // nobody is signed in yet: no sign-out button
    expect(await page.locator('#logout').isVisible()).toBe(false);
    await page.getByLabel('访问令牌').fill(scene.tokens.officer);
    await page.getByRole('button', { name: '登录' }).click();
    await page.locator('#logout').waitFor({ state: 'visible' });
    return page;
  }

  it('lists the officer’s dispatched cases nearest first, in Chinese', async () => {
    const page = await signedIn('/field');
    const rows = page.locator('#cases a');
    await eventually(() => rows.count()).toBe(2);
    // the list is sorted by distance once the GPS fix arrives: read it after that
    await eventually(() => page.locator('#list-order').textContent()).toBe('按距离由近到远');
    expect(await rows.first().getAttribute('data-case-id')).toBe(String(dispatched[1].id));
    expect(await rows.first().locator('.distance').textContent()).toMatch(/^\d+ 米$/);
    await page.screenshot({ path: join(screenshotsDir, 'field-list.png') });
    await page.close();
  }, 60_000);

  it('records a verdict with a photo and the GPS fix; the case state and its event chain change in the API', async () => {
    const { id } = dispatched[1];
    const page = await signedIn(`/field/${id}`);
    await eventually(() => page.locator('#direction').textContent()).toMatch(/^距离 \d+ 米，方位 北/);
    await eventually(() => page.locator('#chips img').count()).toBe(3);
    // Chinese labels; a case without a permit shows no permit as its own
    const shown = await call(scene.tokens.officer, `/cases/${id}`);
    const terms = await page.locator('#measurements dt').allTextContents();
    expect(terms).toEqual(['面积', '高度变化', '许可证号', '网格']);
    expect((await page.locator('#measurements dd').allTextContents())[2]).toBe(shown.violation === 'no_permit' ? '—' : (shown.permit_no ?? '—'));
    expect(await page.locator('#case-title').textContent()).not.toMatch(/[a-z]{2,}/);
    const photo = await sharp({ create: { width: 2400, height: 1800, channels: 3, background: '#8a5a3c' } }).jpeg().toBuffer();
    await page.setInputFiles('#photos', { name: 'wall.jpg', mimeType: 'image/jpeg', buffer: photo });
    await eventually(() => page.locator('#photo-previews img').count()).toBe(1);
    await page.getByLabel('备注').fill('现场确认：院内新建两层砖房');
    expect(await page.locator('#actions button').allTextContents()).toEqual(['确认违法', '确认合法', '误报']);
    await page.screenshot({ path: join(screenshotsDir, 'field-case.png'), fullPage: true });
    expect(await unlabelledControls(page)).toEqual([]);
    await page.getByRole('button', { name: '确认违法' }).click();
    await eventually(() => page.locator('#submit-status').textContent()).toBe('已提交：核实违法');

    const detail = await call(scene.tokens.supervisor, `/cases/${id}`);
    expect(detail.state).toBe('verified_illegal');
    const verdict = detail.events.at(-1);
    expect(verdict).toMatchObject({ kind: 'verified_illegal', actor: 'zhao.wei', note: '现场确认：院内新建两层砖房' });
    expect(verdict.prev_hash).toBe(detail.events.at(-2).hash);
    expect(verdict.lat).toBeCloseTo(dispatched[1].centre[1] - 0.00027, 6);
    expect(verdict.data.photos).toHaveLength(1);
    // shrunk on the phone to at most 1600 px before sending
    const sent = await fetch(`${scene.server.address}/api/v1/evidence/${verdict.data.photos[0].sha256}`, { headers: { authorization: `Bearer ${scene.tokens.officer}` } });
    expect((await sharp(Buffer.from(await sent.arrayBuffer())).metadata()).width).toBe(1600);
    expect(await call(scene.tokens.supervisor, `/cases/${id}/verify`)).toMatchObject({ ok: true, breaks: [] });
    expect(await page.locator('#no-actions').isVisible()).toBe(true);
    // no verdict left to give: no note or photo controls either
    expect(await page.locator('#note').isVisible()).toBe(false);
    expect(await page.locator('label.photo-button').isVisible()).toBe(false);
    await page.close();
  }, 90_000);

  it('keeps a verdict made while the service is down and delivers it once it is back', async () => {
    const { id } = dispatched[0];
    const page = await signedIn(`/field/${id}`);
    await page.getByRole('button', { name: '误报' }).waitFor();
    await page.getByLabel('备注').fill('离线提交：车棚，非建筑');
    await scene.stop();
    try {
      await page.getByRole('button', { name: '误报' }).click();
      await eventually(() => page.locator('#submit-status').textContent()).toBe('网络不可用，已保存，恢复后自动提交');
      // the outbox line is written after its own IndexedDB read, which may end after the status line
      await eventually(() => page.locator('#outbox-status').textContent()).toBe('待提交 1 条');
    } finally {
      // the later tests need the service whatever happened here
      await scene.start();
    }
    await expect.poll(() => page.locator('#submit-status').textContent(), { timeout: 120_000, interval: 1000 }).toBe('已提交：误报');
    await eventually(() => page.locator('#outbox-status').textContent()).toBe('');
    const detail = await call(scene.tokens.supervisor, `/cases/${id}`);
    expect(detail.state).toBe('false_positive');
    expect(detail.events.at(-1)).toMatchObject({ note: '离线提交：车棚，非建筑', data: { submission_id: expect.stringMatching(/^field-/) } });
    expect(detail.events.filter((e: { kind: string }) => e.kind === 'false_positive')).toHaveLength(1);
    await page.close();
  }, 240_000);

  it('sends an officer who opens the review page to the field page', async () => {
    const page = await signedIn('/review');
    await page.waitForURL(/\/field$/);
    await page.close();
  }, 60_000);

  it('says so when a case is not in the officer’s grids, instead of an empty form', async () => {
    const { cases } = await call(scene.tokens.reviewer, '/cases?limit=500');
    const mine = new Set((await call(scene.tokens.officer, '/cases?limit=500')).cases.map((c: { id: number }) => c.id));
    const other = cases.find((c: { id: number }) => !mine.has(c.id));
    expect(other).toBeDefined();
    const page = await signedIn(`/field/${other.id}`);
    // the message's text is filled in while it is still hidden: wait until the refusal shows it
    await page.locator('#not-yours').waitFor({ state: 'visible' });
    expect(await page.locator('#not-yours').textContent()).toBe('没有这个案件，或它不在您负责的网格内');
    expect(await page.locator('#verdict').isVisible()).toBe(false);
    expect(await page.locator('#case-map').isVisible()).toBe(false);
    await page.close();
    // the browser logs the refused request itself; nothing else may be logged
    expect(errors.pop()!.filter((e) => !/status of 404/.test(e))).toEqual([]);
  }, 60_000);

  it('offers English labels and has no console errors besides the refused connections while the service was down', async () => {
    const page = await signedIn('/field');
    await page.getByLabel('语言').selectOption('en');
    await eventually(() => page.locator('#list-view h1').textContent()).toBe('My open cases');
    expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
    await page.close();
    expect(errors.flat().filter((e) => !/ERR_CONNECTION_REFUSED|Failed to fetch/.test(e))).toEqual([]);
  }, 60_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestService, type TestService } from '../../test-support/service.js';

describe('the web pages and their files', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await openTestService('embedded');
  });
  afterAll(() => service?.close());
  const get = (url: string) => service.app.inject({ url });

  it('serves the review and field pages without a token (they sign in themselves)', async () => {
    for (const url of ['/review', '/field', '/field/42']) {
      const page = await get(url);
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('<form id="login"');
    }
    expect((await get('/')).headers.location).toBe('/review');
  });

  it('serves the pages’ modules and MapLibre from its npm package', async () => {
    const script = await get('/web/field/outbox.js');
    expect(script.headers['content-type']).toMatch(/javascript/);
    const mapLibre = await get('/vendor/maplibre-gl/maplibre-gl.mjs');
    expect(mapLibre.statusCode).toBe(200);
    expect(mapLibre.headers['content-type']).toMatch(/javascript/);
    expect((await get('/vendor/maplibre-gl/maplibre-gl.css')).statusCode).toBe(200);
  });

  it('gzips scripts and JSON for a client that accepts it, and sends them plain to one that does not', async () => {
    const zipped = await service.app.inject({ url: '/vendor/maplibre-gl/maplibre-gl.mjs', headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.rawPayload.length).toBeLessThan((await get('/vendor/maplibre-gl/maplibre-gl.mjs')).rawPayload.length / 3);
    expect((await get('/vendor/maplibre-gl/maplibre-gl.mjs')).headers['content-encoding']).toBeUndefined();
    const document = await service.app.inject({ url: '/api/docs/json', headers: { 'accept-encoding': 'gzip' } });
    expect(document.headers['content-encoding']).toBe('gzip');
  });

  it('serves nothing outside web/ and only the browser files of MapLibre', async () => {
    expect((await get('/web/../package.json')).statusCode).toBe(404);
    expect((await get('/web/%2e%2e/package.json')).statusCode).toBeGreaterThanOrEqual(400);
    expect((await get('/vendor/maplibre-gl/maplibre-gl.d.ts')).statusCode).toBe(404);
    expect((await get('/field/not-a-case')).statusCode).toBe(404);
  });
});

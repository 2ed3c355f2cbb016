// @ts-check
/**
 * What both pages' maps need from the service: the token on the service's own tile requests, and
 * the raster sources of a job's imagery as `GET /api/v1/jobs/:id/tiles` describes them.
 */
import { sessionToken } from './session.js';

/** Where the service's API starts, as MapLibre sees tile URLs. */
export const apiRoot = `${location.origin}/api/`;

/**
 * A job's imagery: the layers it has (`before`, `after`, `height-change`), each with its tile URL
 * template, WGS84 bounds and zooms.
 * @typedef {{ id: string, tiles: string[], bounds: [number, number, number, number], minzoom: number, maxzoom: number }} ImageryLayer
 * @typedef {{ bounds: [number, number, number, number] | null, layers: ImageryLayer[] }} Imagery
 */

/** Sends the session's token with the API's own requests (tiles), never to a basemap's server. @param {string} url */
export function transformRequest(url) {
  return url.startsWith(apiRoot) ? { url, headers: { authorization: `Bearer ${sessionToken()}` } } : { url };
}

/**
 * The raster source of one of a job's imagery layers, or null when the job has none.
 * @param {Imagery | null} imagery @param {string} name @returns {import('maplibre-gl').RasterSourceSpecification | null}
 */
export function imagerySource(imagery, name) {
  const layer = imagery?.layers.find((l) => l.id === name);
  if (!layer) return null;
  const { bounds, minzoom, maxzoom } = layer;
  // joined as text: URL() would escape the {z}/{x}/{y} placeholders
  return { type: 'raster', tiles: layer.tiles.map((url) => (url.startsWith('/') ? `${location.origin}${url}` : url)), tileSize: 256, bounds, minzoom, maxzoom };
}

// @ts-check
/**
 * The small map of a case on the field page: the after-flight orthophoto (when the job's imagery
 * is served), the case outline and the device position. No basemap is needed.
 */
import { LngLatBounds, Map as MapLibreMap } from '/vendor/maplibre-gl/maplibre-gl.mjs';
import { imagerySource, transformRequest } from '../shared/map-sources.js';
import { api } from '../shared/session.js';

/**
 * Draws the case in `container`; returns a way to move the device dot.
 * @param {HTMLElement} container @param {any} found @param {[number, number]} centre
 */
export async function caseMap(container, found, centre) {
  // the imagery of the flight that found it; without it the map still shows outline and position
  const imagery = await api(`/api/v1/jobs/${found.first_job_id}/tiles`).catch(() => null);
  /** @type {Record<string, import('maplibre-gl').SourceSpecification>} */
  const sources = {
    case: { type: 'geojson', data: { type: 'Feature', properties: {}, geometry: found.outline } },
    device: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
  };
  const after = imagerySource(imagery, 'after');
  if (after) sources.after = after;
  /** @type {import('maplibre-gl').LayerSpecification[]} */
  const layers = [
    { id: 'background', type: 'background', paint: { 'background-color': '#e8ebef' } },
    ...(after ? [/** @type {const} */ ({ id: 'after', type: 'raster', source: 'after' })] : []),
    { id: 'case-outline', type: 'line', source: 'case', paint: { 'line-color': '#e53935', 'line-width': 3 } },
    { id: 'device', type: 'circle', source: 'device', paint: { 'circle-radius': 7, 'circle-color': '#1b5fc1', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } },
  ];
  const map = new MapLibreMap({
    container,
    center: centre,
    zoom: 18,
    attributionControl: false,
    transformRequest,
    style: { version: 8, sources, layers },
  });
  await new Promise((resolve) => map.once('load', resolve));
  let framed = false;
  return {
    /** Moves the device dot; the first fix within walking distance frames the case and the officer together. @param {[number, number] | null} position */
    showDevice(position) {
      const source = /** @type {any} */ (map.getSource('device'));
      source.setData({ type: 'FeatureCollection', features: position ? [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: position } }] : [] });
      if (!position || framed || Math.abs(position[0] - centre[0]) + Math.abs(position[1] - centre[1]) > 0.02) return;
      framed = true;
      map.fitBounds(new LngLatBounds(centre, centre).extend(position), { padding: 40, maxZoom: 19, animate: false });
    },
  };
}

// @ts-check
/**
 * The review map: three MapLibre maps stacked in one area and moved as one. At the bottom the
 * after-flight orthophoto over the optional basemap; above it the before-flight orthophoto,
 * clipped by the swipe divider (`swipe.js`); on top a transparent map with the height change and
 * the vector layers, which takes the pointer and the keyboard. MapLibre cannot clip one layer of
 * a map, and stacking whole maps keeps the suspects visible on both sides of the divider.
 */
import { LngLatBounds, Map as MapLibreMap } from '/vendor/maplibre-gl/maplibre-gl.mjs';
import { t } from '../shared/i18n.js';
import { apiRoot, imagerySource, transformRequest } from '../shared/map-sources.js';
import { buildingLayers, caseLayers, layersOf, vectorLayers } from './layers.js';

/** @typedef {import('maplibre-gl').SourceSpecification} SourceSpecification */
/** @typedef {import('maplibre-gl').RasterSourceSpecification} RasterSourceSpecification */
/** @typedef {import('maplibre-gl').LayerSpecification} LayerSpecification */

const heightChangePaint = { 'raster-opacity': 0.8 };
/** @type {LayerSpecification} */
const background = { id: 'background', type: 'background', paint: { 'background-color': '#dfe3e8' } };

/** @typedef {import('../shared/map-sources.js').Imagery} Imagery */

/**
 * A basemap as `web/config.json` gives it: the tile URL templates of a raster source in Web
 * Mercator, and what the provider asks to be credited.
 * @typedef {{ tiles: string[], tileSize?: number, maxzoom?: number, attribution?: string }} Basemap
 */

/** The MVT URL template of a layer, with the case filters for `cases`, the job for `buildings`. @param {string} layer @param {URLSearchParams} [query] */
function vectorTiles(layer, query) {
  const search = query?.toString();
  return `${apiRoot}v1/tiles/${layer}/{z}/{x}/{y}.mvt${search ? `?${search}` : ''}`;
}

/**
 * Raster layer `id` on source `id` if the source exists. Tiles appear without fading in: a fade
 * redraws all three maps for every tile that arrives.
 * @param {Record<string, SourceSpecification>} sources @param {string} id
 * @param {{ layout?: object, paint?: object }} [extra] @returns {LayerSpecification[]}
 */
function rasterLayers(sources, id, extra = {}) {
  return sources[id] ? [{ id, type: 'raster', source: id, ...extra, paint: { 'raster-fade-duration': 0, ...extra.paint } }] : [];
}

/** The bounds of a MultiPolygon. @param {{ coordinates: number[][][][] }} outline */
export function outlineBounds(outline) {
  const bounds = new LngLatBounds();
  for (const polygon of outline.coordinates) for (const [lon, lat] of polygon[0]) bounds.extend([lon, lat]);
  return bounds;
}

/**
 * Draws the map in `area` (which holds `#map-after`, `#map-before` and `#map-overlay`), fitted to
 * `bounds`. While any of the three maps is loading or moving, the area is `aria-busy`; each time
 * all are idle the count of suspects in view is shown and, the first time, the `review:first-view`
 * performance mark is set. A click selects the suspect under it, else the register building.
 * @param {HTMLElement} area
 * @param {{ imagery: Imagery | null, basemap: Basemap | null, caseQuery: URLSearchParams, buildingQuery: URLSearchParams, bounds?: LngLatBounds,
 *   visible: Set<string>, onCaseClick: (id: number) => void, onBuildingClick: (id: number) => void, onIdle: (casesInView: number) => void }} options
 */
export function createReviewMap(area, options) {
  const common = { transformRequest, bounds: options.bounds, fitBoundsOptions: { padding: 40 }, attributionControl: /** @type {false} */ (false), maxZoom: 22 };
  const style = mapStyles(options);
  const container = (/** @type {string} */ id) => /** @type {HTMLElement} */ (area.querySelector(id));
  const after = new MapLibreMap({ ...common, container: container('#map-after'), interactive: false, style: style.after });
  const before = new MapLibreMap({ ...common, container: container('#map-before'), interactive: false, style: style.before });
  const overlay = new MapLibreMap({
    ...common, container: container('#map-overlay'), style: style.overlay, dragRotate: false, pitchWithRotate: false, touchPitch: false,
    locale: { 'Map.Title': t('map.label') },
    attributionControl: options.basemap?.attribution ? { compact: true, customAttribution: options.basemap.attribution } : false,
  });
  overlay.touchZoomRotate.disableRotation();
  overlay.keyboard.disableRotation();
  overlay.on('move', () => {
    const view = { center: overlay.getCenter(), zoom: overlay.getZoom() };
    after.jumpTo(view);
    before.jumpTo(view);
  });
  const clickable = [...caseLayers, ...buildingLayers];
  overlay.on('click', (event) => {
    // the topmost feature: a suspect lies above the building it stands on
    const [top] = overlay.queryRenderedFeatures(event.point, { layers: clickable });
    if (top?.id === undefined) return;
    if (top.source === 'cases') options.onCaseClick(Number(top.id));
    else options.onBuildingClick(Number(top.id));
  });
  overlay.on('mouseenter', clickable, () => (overlay.getCanvas().style.cursor = 'pointer'));
  overlay.on('mouseleave', clickable, () => (overlay.getCanvas().style.cursor = ''));
  document.addEventListener('zhiwei:language', () => overlay.getCanvas().setAttribute('aria-label', t('map.label')));
  watchIdle(area, [after, before, overlay], () => options.onIdle(casesInView(overlay)));

  // MapLibre loads a style given as an object on the map's first animation frame, which software
  // WebGL on a loaded machine can put off for seconds: what the page asks of the maps before then
  // (a job chosen in the menu at once) is done once all three are styled, in the order asked
  const styled = Promise.all([after, before, overlay].map((map) => new Promise((resolve) => map.once('style.load', resolve))));
  const whenStyled = (/** @type {() => void} */ apply) => void styled.then(apply);

  /** @type {number | null} */
  let selected = null;
  /** @type {number | null} */
  let selectedBuilding = null;
  const caseFeatures = (/** @type {number} */ id) => ['cases', 'case_points'].map((sourceLayer) => ({ source: 'cases', sourceLayer, id }));
  const buildingFeature = (/** @type {number} */ id) => ({ source: 'buildings', sourceLayer: 'buildings', id });
  return {
    /** (Re)loads the case tiles with the case list's filters `query`. @param {URLSearchParams} query */
    showCases(query) {
      whenStyled(() => /** @type {import('maplibre-gl').VectorTileSource} */ (overlay.getSource('cases')).setTiles([vectorTiles('cases', query)]));
    },
    /** (Re)loads the building tiles: those a survey job observed (`job` in `query`), else the whole register. @param {URLSearchParams} query */
    showBuildings(query) {
      whenStyled(() => /** @type {import('maplibre-gl').VectorTileSource} */ (overlay.getSource('buildings')).setTiles([vectorTiles('buildings', query)]));
    },
    /** Highlights register building `id` (none for null). @param {number | null} id */
    selectBuilding(id) {
      whenStyled(() => {
        if (selectedBuilding !== null) overlay.setFeatureState(buildingFeature(selectedBuilding), { selected: false });
        selectedBuilding = id;
        if (id !== null) overlay.setFeatureState(buildingFeature(id), { selected: true });
      });
    },
    /** Replaces the imagery by another job's. @param {Imagery | null} imagery */
    showImagery(imagery) {
      whenStyled(() => {
        replaceRaster(after, 'after', imagerySource(imagery, 'after'));
        replaceRaster(before, 'before', imagerySource(imagery, 'before'));
        const visibility = options.visible.has('height-change') ? 'visible' : 'none';
        replaceRaster(overlay, 'height-change', imagerySource(imagery, 'height-change'), 'zones-fill', { layout: { visibility }, paint: heightChangePaint });
      });
    },
    /** Highlights case `id` (none for null) and, given its outline, brings it into view. @param {number | null} id @param {{ coordinates: number[][][][] }} [outline] */
    select(id, outline) {
      whenStyled(() => {
        if (selected !== null) for (const feature of caseFeatures(selected)) overlay.setFeatureState(feature, { selected: false });
        selected = id;
        if (id !== null) for (const feature of caseFeatures(id)) overlay.setFeatureState(feature, { selected: true });
        if (outline) overlay.fitBounds(outlineBounds(outline), { padding: 80, maxZoom: 20, duration: 500 });
      });
    },
    /** Shows or hides the layers behind a toggle of the layer menu. @param {string} name @param {boolean} visible */
    setVisible(name, visible) {
      if (visible) options.visible.add(name);
      else options.visible.delete(name);
      whenStyled(() => {
        for (const id of layersOf(name)) if (overlay.getLayer(id)) overlay.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
      });
    },
  };
}

/**
 * The styles of the three maps: basemap and after orthophoto; before orthophoto alone; height
 * change and the vector layers, with the layers whose toggles are off hidden.
 * @param {{ imagery: Imagery | null, basemap: Basemap | null, caseQuery: URLSearchParams, buildingQuery: URLSearchParams, visible: Set<string> }} options
 * @returns {Record<'after' | 'before' | 'overlay', import('maplibre-gl').StyleSpecification>}
 */
function mapStyles({ imagery, basemap, caseQuery, buildingQuery, visible }) {
  const visibility = (/** @type {string} */ name) => ({ layout: { visibility: visible.has(name) ? 'visible' : 'none' } });
  const afterSources = { ...withSource('basemap', basemap && { type: 'raster', tileSize: 256, ...basemap }), ...withSource('after', imagerySource(imagery, 'after')) };
  const beforeSources = withSource('before', imagerySource(imagery, 'before'));
  /** @type {Record<string, SourceSpecification>} */
  const overlaySources = {
    ...withSource('height-change', imagerySource(imagery, 'height-change')),
    ...Object.fromEntries(['zones', 'grids', 'plans', 'cases'].map((layer) => [layer, { type: 'vector', tiles: [vectorTiles(layer, layer === 'cases' ? caseQuery : undefined)] }])),
    buildings: { type: 'vector', tiles: [vectorTiles('buildings', buildingQuery)] },
  };
  return {
    after: { version: 8, sources: afterSources, layers: [background, ...rasterLayers(afterSources, 'basemap'), ...rasterLayers(afterSources, 'after')] },
    before: { version: 8, sources: beforeSources, layers: rasterLayers(beforeSources, 'before') },
    overlay: {
      version: 8, sources: overlaySources,
      layers: [
        ...rasterLayers(overlaySources, 'height-change', { ...visibility('height-change'), paint: heightChangePaint }),
        ...vectorLayers().map((layer) => (layer.source === 'cases' ? layer : { ...layer, ...visibility(layer.source) })),
      ],
    },
  };
}

/** @param {string} id @param {SourceSpecification | null} source @returns {Record<string, SourceSpecification>} */
function withSource(id, source) {
  return source ? { [id]: source } : {};
}

/**
 * @param {MapLibreMap} map @param {string} id @param {RasterSourceSpecification | null} source @param {string} [beforeId]
 * @param {{ layout?: object, paint?: object }} [extra]
 */
function replaceRaster(map, id, source, beforeId, extra = {}) {
  if (map.getLayer(id)) map.removeLayer(id);
  if (map.getSource(id)) map.removeSource(id);
  if (!source) return;
  map.addSource(id, source);
  for (const layer of rasterLayers({ [id]: source }, id, extra)) map.addLayer(layer, beforeId);
}

/** Suspects drawn in the current view (a feature cut by tile borders counts once). @param {MapLibreMap} map */
function casesInView(map) {
  return new Set(map.queryRenderedFeatures({ layers: [...caseLayers] }).map((f) => f.id)).size;
}

/**
 * Keeps `aria-busy` on `area` while any map renders, and calls `onSettled` when all are idle.
 * `render` precedes every `idle`, so a map that has not drawn since its last `idle` is still idle.
 * @param {HTMLElement} area @param {MapLibreMap[]} maps @param {() => void} onSettled
 */
function watchIdle(area, maps, onSettled) {
  const idle = new Set();
  let settledOnce = false;
  for (const map of maps) {
    map.on('render', () => {
      idle.delete(map);
      if (area.getAttribute('aria-busy') !== 'true') area.setAttribute('aria-busy', 'true');
    });
    map.on('idle', () => {
      idle.add(map);
      if (idle.size < maps.length) return;
      onSettled();
      area.setAttribute('aria-busy', 'false');
      if (!settledOnce) performance.mark('review:first-view');
      settledOnce = true;
    });
  }
}

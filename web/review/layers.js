// @ts-check
/**
 * How the review map draws its layers: suspects filled by violation and outlined by state (the
 * selected one thicker), the register's buildings (under the suspects) filled green when legal and
 * by violation when suspect, approved plans dashed, zones shaded, grids as thin lines. The list
 * uses the same colours for its swatches, so it doubles as the legend.
 */

/** Fill of a suspect by violation type. */
export const violationColours = Object.freeze({
  no_permit: '#d7191c',
  outside_permitted_footprint: '#fdae61',
  exceeds_permitted_height: '#9e3dc1',
  permit_expired: '#e6c229',
  none: '#9e9e9e',
});

/** Outline of a suspect by case state: bright while it waits at the desk, cooler once it moved on. */
export const stateColours = Object.freeze({
  detected: '#ffeb3b',
  triaged: '#ff9800',
  dispatched: '#29b6f6',
  verified_illegal: '#d50000',
  verified_legal: '#43a047',
  false_positive: '#bdbdbd',
  disposing: '#ab47bc',
  reinspected: '#26a69a',
  closed: '#616161',
  dismissed: '#eeeeee',
});

/** Fill of a register building by legality; a suspect's is its violation's. */
export const legalityColours = Object.freeze({ legal: '#1a9850', suspect: violationColours.no_permit });

/** @param {string} property @param {Readonly<Record<string, string>>} colours @param {string} otherwise */
function colourBy(property, colours, otherwise) {
  return ['match', ['get', property], ...Object.entries(colours).flat(), otherwise];
}

const selected = ['boolean', ['feature-state', 'selected'], false];

/** The layers of the overlay map that draw suspects: outlines, and points for those under a pixel. */
export const caseLayers = Object.freeze(['cases-fill', 'cases-points']);

/** The layer of the overlay map that draws the register's buildings, which a click selects. */
export const buildingLayers = Object.freeze(['buildings-fill']);

const buildingColour = ['case', ['==', ['get', 'legality'], 'legal'], legalityColours.legal, colourBy('violation', violationColours, '#9e9e9e')];

/**
 * The vector layers of the overlay map, bottom to top; each id starts with its source's name
 * (which is also the layer name inside the tile, but for the suspects drawn as points).
 * @returns {any[]}
 */
export function vectorLayers() {
  const layer = (/** @type {string} */ source, /** @type {string} */ id, /** @type {string} */ type, /** @type {object} */ paint, sourceLayer = source) => ({ id, type, source, 'source-layer': sourceLayer, paint });
  return [
    layer('zones', 'zones-fill', 'fill', { 'fill-color': '#1b5fc1', 'fill-opacity': 0.08 }),
    layer('zones', 'zones-line', 'line', { 'line-color': '#1b5fc1', 'line-width': 1.5, 'line-opacity': 0.7 }),
    layer('grids', 'grids-line', 'line', { 'line-color': '#ffffff', 'line-width': 1, 'line-opacity': 0.8, 'line-dasharray': [4, 2] }),
    layer('buildings', 'buildings-fill', 'fill', { 'fill-color': buildingColour, 'fill-opacity': ['case', selected, 0.5, 0.2] }),
    layer('buildings', 'buildings-line', 'line', { 'line-color': buildingColour, 'line-width': ['case', selected, 3, 1] }),
    layer('plans', 'plans-line', 'line', { 'line-color': '#00e5ff', 'line-width': 1.5, 'line-dasharray': [2, 2] }),
    layer('cases', 'cases-fill', 'fill', { 'fill-color': colourBy('violation', violationColours, '#9e9e9e'), 'fill-opacity': ['case', selected, 0.55, 0.35] }),
    layer('cases', 'cases-outline', 'line', { 'line-color': colourBy('state', stateColours, '#ffffff'), 'line-width': ['case', selected, 5, 2] }),
    layer('cases', 'cases-points', 'circle', {
      'circle-color': colourBy('violation', violationColours, '#9e9e9e'), 'circle-radius': ['case', selected, 8, 5],
      'circle-stroke-color': colourBy('state', stateColours, '#ffffff'), 'circle-stroke-width': 2,
    }, 'case_points'),
  ];
}

/** The layers a toggle of the layer menu shows or hides. @param {string} name */
export function layersOf(name) {
  return vectorLayers().map((l) => /** @type {string} */ (l.id)).filter((id) => id.startsWith(`${name}-`)).concat(name === 'height-change' ? ['height-change'] : []);
}

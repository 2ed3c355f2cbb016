/**
 * DXF vector layers: closed polylines on the mapped layers become polygons (rings inside rings on
 * one layer become holes), and labels inside a polygon fill its mapped fields.
 */
import { readFile } from 'node:fs/promises';
import Flatbush from 'flatbush';
import { BadInputError } from '../errors.js';
import type { PolygonRings } from '../geo/geojson.js';
import { polygonsBounds, ringArea } from '../geo/measure.js';
import { labelsOf, polylinesOf, type DxfLabel, type DxfPolyline } from './dxf-entities.js';
import type { DxfLayerProperties, DxfMapping } from './dxf-mapping.js';
import { parseDxf } from './dxf-parse.js';
import { groupRings, polygonContains, type Ring } from '../geo/rings.js';
import type { VectorFeature, VectorLayer } from './vector-layer.js';

/** Reads a DXF drawing's outlines as polygon features; CRS from the mapping (or none). */
export async function readDxfLayer(path: string, mapping: DxfMapping = {}, encoding?: string): Promise<VectorLayer> {
  const sections = parseDxf(await readFile(path), path, encoding);
  const entities = sections.get('ENTITIES') ?? [];
  // AutoCAD compares layer names without regard to case.
  const mapped = mapping.layers ? new Map(Object.entries(mapping.layers).map(([name, props]) => [name.toUpperCase(), props])) : null;
  const closed = polylinesOf(entities).filter((p) => p.closed);
  const outlines = closed.filter((p) => mapped === null || mapped.has(p.layer.toUpperCase()));
  if (outlines.length === 0) {
    const drawn = [...new Set(closed.map((p) => p.layer))];
    const wanted = mapped ? ` on the mapped layers (${Object.keys(mapping.layers ?? {}).join(', ')})` : '';
    throw new BadInputError(`${path}: no closed polylines${wanted}; closed polylines are on: ${drawn.join(', ') || 'no layer'}`);
  }
  const features = outlineFeatures(outlines, mapped, path);
  fillFields(features, labelsOf(entities), mapping, path);
  return { file: path, format: 'dxf', crs: mapping.crs ?? null, features };
}

/** Features in drawing order, one per outer ring, each with the layer's fixed properties and `layer`. */
function outlineFeatures(outlines: DxfPolyline[], mapped: Map<string, DxfLayerProperties> | null, path: string): VectorFeature[] {
  const lineOf = new Map<Ring, number>();
  const byLayer = new Map<string, Ring[]>();
  const layerName = new Map<string, string>();
  for (const outline of outlines) {
    const distinct = new Set(outline.points.map(([x, y]) => `${x},${y}`)).size;
    if (distinct < 3) {
      throw new BadInputError(`${path}: line ${outline.line}: closed polyline on layer "${outline.layer}" has ${distinct} distinct points, a polygon needs 3`);
    }
    const ring: Ring = [...outline.points, outline.points[0]];
    const key = outline.layer.toUpperCase();
    lineOf.set(ring, outline.line);
    byLayer.set(key, [...(byLayer.get(key) ?? []), ring]);
    if (!layerName.has(key)) layerName.set(key, outline.layer);
  }
  const placed: { line: number; layer: string; polygon: PolygonRings }[] = [];
  for (const [key, rings] of byLayer) {
    for (const polygon of groupRings(rings)) placed.push({ line: lineOf.get(polygon[0]) as number, layer: key, polygon });
  }
  placed.sort((a, b) => a.line - b.line);
  return placed.map(({ layer, polygon }, i) => ({
    row: i + 1,
    properties: { ...(mapped?.get(layer) ?? {}), layer: layerName.get(layer) },
    polygons: [polygon],
  }));
}

/**
 * Fills each text rule's field from the labels inside a feature; a label belongs to the smallest
 * polygon around its insertion point, as CAD labels sit inside the outline they name. Fields no
 * label fills are null; two different values for one field are an error.
 */
function fillFields(features: VectorFeature[], labels: DxfLabel[], mapping: DxfMapping, path: string): void {
  const rules = (mapping.text ?? []).map((rule) => ({ ...rule, regex: new RegExp(rule.pattern) }));
  if (rules.length === 0) return;
  const index = new Flatbush(features.length);
  for (const feature of features) {
    const [minX, minY, maxX, maxY] = polygonsBounds(feature.polygons);
    index.add(minX, minY, maxX, maxY);
  }
  index.finish();
  const area = features.map((feature) => ringArea(feature.polygons[0][0]));
  const filled = features.map(() => new Map<string, unknown>());
  for (const label of labels) {
    const [x, y] = label.point;
    const around = index.search(x, y, x, y).filter((f) => polygonContains(features[f].polygons[0], label.point));
    if (around.length === 0) continue;
    const owner = around.reduce((a, b) => (area[b] < area[a] ? b : a));
    for (const rule of rules) {
      const match = rule.regex.exec(label.text);
      if (match === null) continue;
      const text = (match[1] ?? match[0]).trim();
      const value = rule.number ? (text === '' ? NaN : Number(text)) : text;
      const where = `${path}: line ${label.line}: ${rule.field}`;
      if (typeof value === 'number' && !Number.isFinite(value)) throw new BadInputError(`${where}: "${text}" is not a number`);
      const previous = filled[owner].get(rule.field);
      if (previous !== undefined && previous !== value) {
        throw new BadInputError(`${where}: "${text}" differs from ${JSON.stringify(previous)} already found in the same outline (feature ${owner + 1})`);
      }
      filled[owner].set(rule.field, value);
    }
  }
  features.forEach((feature, f) => {
    for (const rule of rules) feature.properties[rule.field] = filled[f].get(rule.field) ?? feature.properties[rule.field] ?? null;
  });
}

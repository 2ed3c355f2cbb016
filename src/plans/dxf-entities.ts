/**
 * The entities a plan drawing's outlines and labels are made of: LWPOLYLINE and POLYLINE (with
 * VERTEX/SEQEND) as point lists, arcs (bulges) as short segments; TEXT and MTEXT as plain text.
 */
import { plainMText, plainText } from './dxf-text.js';
import type { DxfEntity, DxfPair } from './dxf-parse.js';

/** A polyline on a layer: its points (arcs already segmented) and whether it is closed. */
export interface DxfPolyline {
  layer: string;
  line: number;
  closed: boolean;
  points: [number, number][];
}

/** A TEXT or MTEXT label: layer, insertion point and plain text. */
export interface DxfLabel {
  layer: string;
  line: number;
  point: [number, number];
  text: string;
}

interface Vertex {
  x: number;
  y: number;
  bulge: number;
}

/** Polylines of an entity list, in file order; polygon meshes and polyface meshes are left out. */
export function polylinesOf(entities: DxfEntity[]): DxfPolyline[] {
  const polylines: DxfPolyline[] = [];
  for (let i = 0; i < entities.length; i++) {
    const entity = entities[i];
    if (entity.type === 'LWPOLYLINE') {
      const vertices: Vertex[] = [];
      for (const { code, value } of entity.pairs) {
        if (code === 10) vertices.push({ x: Number(value), y: 0, bulge: 0 });
        else if (code === 20 && vertices.length > 0) vertices[vertices.length - 1].y = Number(value);
        else if (code === 42 && vertices.length > 0) vertices[vertices.length - 1].bulge = Number(value);
      }
      polylines.push(polyline(entity, vertices));
    } else if (entity.type === 'POLYLINE') {
      const vertices: Vertex[] = [];
      for (i++; i < entities.length && entities[i].type === 'VERTEX'; i++) {
        const { pairs } = entities[i];
        // Spline frame points (16) and polyface face records (128) are not outline vertices.
        if ((number(pairs, 70, 0) & (16 | 128)) === 0) vertices.push({ x: number(pairs, 10, 0), y: number(pairs, 20, 0), bulge: number(pairs, 42, 0) });
      }
      if (entities[i]?.type !== 'SEQEND') i--;
      if ((number(entity.pairs, 70, 0) & (16 | 64)) === 0) polylines.push(polyline(entity, vertices));
    }
  }
  return polylines;
}

/** TEXT and MTEXT labels of an entity list, in file order. */
export function labelsOf(entities: DxfEntity[]): DxfLabel[] {
  return entities
    .filter((entity) => entity.type === 'TEXT' || entity.type === 'MTEXT')
    .map((entity) => {
      const { pairs } = entity;
      const mirror = entity.type === 'TEXT' ? ocsMirror(pairs) : 1;
      // MTEXT splits long text into 250-character chunks: group 3 pieces first, then group 1.
      const raw = pairs.filter((p) => p.code === 3).map((p) => p.value).join('') + (pairs.find((p) => p.code === 1)?.value ?? '');
      return {
        layer: layerOf(pairs),
        line: entity.line,
        point: [mirror * number(pairs, 10, 0), number(pairs, 20, 0)],
        text: entity.type === 'MTEXT' ? plainMText(raw) : plainText(raw),
      };
    });
}

function polyline(entity: DxfEntity, vertices: Vertex[]): DxfPolyline {
  const first = vertices[0];
  const last = vertices[vertices.length - 1];
  const repeatsFirst = vertices.length > 1 && first.x === last.x && first.y === last.y;
  const closed = (number(entity.pairs, 70, 0) & 1) === 1 || repeatsFirst;
  const corners = repeatsFirst ? vertices.slice(0, -1) : vertices;
  const points: [number, number][] = [];
  corners.forEach((vertex, k) => {
    points.push([vertex.x, vertex.y]);
    const next = corners[k + 1] ?? (closed ? corners[0] : undefined);
    if (next && vertex.bulge !== 0) points.push(...arcPoints(vertex, next));
  });
  // 3D polylines (flag 8) are in world coordinates; the others in their object coordinate system.
  const mirror = (number(entity.pairs, 70, 0) & 8) === 0 ? ocsMirror(entity.pairs) : 1;
  return { layer: layerOf(entity.pairs), line: entity.line, closed, points: points.map(([x, y]) => [mirror * x, y]) };
}

/**
 * Points strictly between two vertices on the arc a bulge describes: bulge = tan(angle / 4),
 * positive counter-clockwise. One segment per 10° of arc at most.
 */
function arcPoints(from: Vertex, to: Vertex): [number, number][] {
  const [dx, dy] = [to.x - from.x, to.y - from.y];
  const chord = Math.hypot(dx, dy);
  if (chord === 0) return [];
  const b = from.bulge;
  const sweep = 4 * Math.atan(b);
  // The centre lies on the chord's perpendicular bisector, (chord/2)(1 - b²)/(2b) to its left.
  const offset = ((chord / 2) * (1 - b * b)) / (2 * b);
  const centre = [(from.x + to.x) / 2 - (dy / chord) * offset, (from.y + to.y) / 2 + (dx / chord) * offset];
  const radius = Math.hypot(from.x - centre[0], from.y - centre[1]);
  const start = Math.atan2(from.y - centre[1], from.x - centre[0]);
  const segments = Math.max(2, Math.ceil(Math.abs(sweep) / (Math.PI / 18)));
  return Array.from({ length: segments - 1 }, (_, k) => {
    const angle = start + (sweep * (k + 1)) / segments;
    return [centre[0] + radius * Math.cos(angle), centre[1] + radius * Math.sin(angle)] as [number, number];
  });
}

/**
 * -1 when the entity was mirrored in CAD (its extrusion direction points down, so object x runs
 * against world x), else 1. Other extrusion directions do not occur in plan drawings.
 */
function ocsMirror(pairs: DxfPair[]): number {
  return number(pairs, 230, 1) < 0 ? -1 : 1;
}

function layerOf(pairs: DxfPair[]): string {
  return (pairs.find((p) => p.code === 8)?.value ?? '0').trim();
}

/** The first value of a group code as a number, or `fallback` when absent. */
function number(pairs: DxfPair[], code: number, fallback: number): number {
  const pair = pairs.find((p) => p.code === code);
  return pair === undefined ? fallback : Number(pair.value);
}

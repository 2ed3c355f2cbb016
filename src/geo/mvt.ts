/**
 * Mapbox Vector Tiles (specification 2.1), written here because the embedded database's PostGIS
 * has no protobuf support (`ST_AsMVT` fails there): layers of features with an id, properties
 * stored once per layer in its keys and values tables, and geometry as MoveTo/LineTo/ClosePath
 * commands with zigzag deltas. Coordinates are tile units (0-4096, y down); polygon rings are
 * oriented as the specification wants (exterior clockwise on screen, holes counter-clockwise),
 * whatever way they come in, and rings that collapse to no area are left out.
 */

/** Tile units across a tile. */
export const MVT_EXTENT = 4096;

/** x, y in tile units. */
export type TilePosition = [number, number];

/** Geometry of a feature in tile units (GeoJSON-shaped; rings closed or not). */
export type TileGeometry =
  | { type: 'Point'; coordinates: TilePosition }
  | { type: 'MultiPoint'; coordinates: TilePosition[] }
  | { type: 'Polygon'; coordinates: TilePosition[][] }
  | { type: 'MultiPolygon'; coordinates: TilePosition[][][] };

/** A property value; null and undefined leave the property out (vector tiles have no null). */
export type TileValue = string | number | boolean | null | undefined;

/** One feature of a layer. */
export interface TileFeature {
  id?: number;
  geometry: TileGeometry;
  properties: Record<string, TileValue>;
}

/** A named layer. */
export interface TileLayer {
  name: string;
  features: TileFeature[];
}

const POINT = 1;
const POLYGON = 3;
const [MOVE_TO, LINE_TO, CLOSE_PATH] = [1, 2, 7];

/** The tile as protobuf bytes; empty layers are left out, and a tile with none is zero bytes long. */
export function encodeVectorTile(layers: TileLayer[]): Uint8Array {
  const out = new ProtobufWriter();
  for (const layer of layers) {
    const features = layer.features.map((feature) => ({ feature, geometry: geometryCommands(feature.geometry) })).filter((f) => f.geometry !== null);
    if (features.length > 0) out.message(3, () => writeLayer(out, layer.name, features as EncodedFeature[]));
  }
  return out.finish();
}

interface EncodedFeature {
  feature: TileFeature;
  geometry: { type: number; commands: number[] };
}

function writeLayer(out: ProtobufWriter, name: string, features: EncodedFeature[]): void {
  const keys = new Map<string, number>();
  const values = new ValueTable();
  out.string(1, name);
  for (const { feature, geometry } of features) {
    const tags: number[] = [];
    for (const key in feature.properties) {
      const value = feature.properties[key];
      if (value === null || value === undefined) continue;
      let keyIndex = keys.get(key);
      if (keyIndex === undefined) keys.set(key, (keyIndex = keys.size));
      tags.push(keyIndex, values.index(value));
    }
    out.message(2, () => {
      if (feature.id !== undefined) out.uint(1, feature.id);
      if (tags.length > 0) out.packed(2, tags);
      out.uint(3, geometry.type);
      out.packed(4, geometry.commands);
    });
  }
  for (const key of keys.keys()) out.string(3, key);
  for (const value of values.list) out.message(4, () => writeValue(out, value));
  out.uint(5, MVT_EXTENT);
  out.uint(15, 2);
}

/** A layer's values, each stored once; a string "1" and a number 1 are different values. */
class ValueTable {
  readonly list: (string | number | boolean)[] = [];
  private readonly byType = { string: new Map<unknown, number>(), number: new Map<unknown, number>(), boolean: new Map<unknown, number>() };

  index(value: string | number | boolean): number {
    const indexes = this.byType[typeof value as 'string' | 'number' | 'boolean'];
    let index = indexes.get(value);
    if (index === undefined) {
      indexes.set(value, (index = this.list.length));
      this.list.push(value);
    }
    return index;
  }
}

function writeValue(out: ProtobufWriter, value: string | number | boolean): void {
  if (typeof value === 'string') out.string(1, value);
  else if (typeof value === 'boolean') out.uint(7, value ? 1 : 0);
  else if (Number.isSafeInteger(value) && value >= 0) out.uint(5, value);
  else if (Number.isSafeInteger(value)) out.uint(6, -2 * value - 1); // sint64: zigzag of a negative integer
  else out.double(3, value);
}

/** The geometry's type and commands, or null when nothing of it is left at tile resolution. */
function geometryCommands(geometry: TileGeometry): EncodedFeature['geometry'] | null {
  const commands: number[] = [];
  const cursor: TilePosition = [0, 0];
  if (geometry.type === 'Point' || geometry.type === 'MultiPoint') {
    const points = geometry.type === 'Point' ? [geometry.coordinates] : geometry.coordinates;
    if (points.length === 0) return null;
    commands.push(command(MOVE_TO, points.length));
    for (const point of points) moveCursor(commands, cursor, rounded(point));
    return { type: POINT, commands };
  }
  for (const polygon of geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates) {
    const [exterior, ...holes] = polygon.map(tileRing);
    // without its exterior ring a polygon's holes mean nothing
    if (exterior === null) continue;
    writeRing(commands, cursor, exterior, true);
    for (const hole of holes) if (hole !== null) writeRing(commands, cursor, hole, false);
  }
  return commands.length === 0 ? null : { type: POLYGON, commands };
}

/** A ring's distinct vertices in tile units, unclosed, with its area; null when it has no area. */
function tileRing(ring: TilePosition[]): { vertices: TilePosition[]; area: number } | null {
  const vertices: TilePosition[] = [];
  for (const position of ring) {
    const vertex = rounded(position);
    const last = vertices[vertices.length - 1];
    if (!last || last[0] !== vertex[0] || last[1] !== vertex[1]) vertices.push(vertex);
  }
  const [first, last] = [vertices[0], vertices[vertices.length - 1]];
  if (vertices.length > 1 && first[0] === last[0] && first[1] === last[1]) vertices.pop();
  if (vertices.length < 3) return null;
  const area = surveyorArea(vertices);
  return area === 0 ? null : { vertices, area };
}

/** Twice the area by the surveyor's formula: positive for a ring clockwise on screen (y down). */
function surveyorArea(vertices: TilePosition[]): number {
  let sum = 0;
  for (let i = 0, j = vertices.length - 1; i < vertices.length; j = i++) sum += vertices[j][0] * vertices[i][1] - vertices[i][0] * vertices[j][1];
  return sum;
}

function writeRing(commands: number[], cursor: TilePosition, ring: { vertices: TilePosition[]; area: number }, exterior: boolean): void {
  const vertices = exterior === ring.area > 0 ? ring.vertices : [...ring.vertices].reverse();
  commands.push(command(MOVE_TO, 1));
  moveCursor(commands, cursor, vertices[0]);
  commands.push(command(LINE_TO, vertices.length - 1));
  for (let i = 1; i < vertices.length; i++) moveCursor(commands, cursor, vertices[i]);
  commands.push(command(CLOSE_PATH, 1));
}

function moveCursor(commands: number[], cursor: TilePosition, [x, y]: TilePosition): void {
  commands.push(zigzag(x - cursor[0]), zigzag(y - cursor[1]));
  cursor[0] = x;
  cursor[1] = y;
}

function command(id: number, count: number): number {
  return (id & 0x7) | (count << 3);
}

function zigzag(n: number): number {
  return (n << 1) ^ (n >> 31);
}

function rounded([x, y]: TilePosition): TilePosition {
  return [Math.round(x), Math.round(y)];
}

const utf8 = new TextEncoder();

/** Protobuf fields into a growing buffer; a nested message is written in place, its length put before it afterwards. */
class ProtobufWriter {
  private bytes = new Uint8Array(4096);
  private pos = 0;

  uint(field: number, value: number): void {
    this.varint(field << 3);
    this.varint(value);
  }

  double(field: number, value: number): void {
    this.varint((field << 3) | 1);
    this.reserve(8);
    new DataView(this.bytes.buffer).setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  string(field: number, value: string): void {
    const encoded = utf8.encode(value);
    this.varint((field << 3) | 2);
    this.varint(encoded.length);
    this.reserve(encoded.length);
    this.bytes.set(encoded, this.pos);
    this.pos += encoded.length;
  }

  packed(field: number, values: number[]): void {
    this.message(field, () => {
      for (const value of values) this.varint(value);
    });
  }

  message(field: number, write: () => void): void {
    this.varint((field << 3) | 2);
    const start = this.pos;
    // one byte kept for the length, which is most often under 128; longer bodies move up
    this.pos += 1;
    write();
    const length = this.pos - start - 1;
    const extra = varintSize(length) - 1;
    if (extra > 0) {
      this.reserve(extra);
      this.bytes.copyWithin(start + 1 + extra, start + 1, this.pos);
      this.pos += extra;
    }
    const end = this.pos;
    this.pos = start;
    this.varint(length);
    this.pos = end;
  }

  finish(): Uint8Array {
    return this.bytes.slice(0, this.pos);
  }

  private varint(value: number): void {
    this.reserve(10);
    while (value > 0x7f) {
      this.bytes[this.pos++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.bytes[this.pos++] = value;
  }

  private reserve(count: number): void {
    if (this.pos + count <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.pos + count));
    grown.set(this.bytes.subarray(0, this.pos));
    this.bytes = grown;
  }
}

function varintSize(value: number): number {
  let size = 1;
  while (value > 0x7f) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}

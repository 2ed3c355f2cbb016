/**
 * A small reader of Mapbox Vector Tiles for tests, written apart from `geo/mvt.ts` so that a test
 * reads a tile the way a map client does: layers, keys and values, features with their properties
 * and their geometry decoded to absolute tile positions.
 */
import type { TilePosition } from '../geo/mvt.js';

/** A feature as read back. */
export interface DecodedFeature {
  id?: number;
  type: number;
  properties: Record<string, unknown>;
  commands: number[];
  /** Absolute positions per MoveTo...ClosePath (polygons) or per point. */
  parts: TilePosition[][];
}

/** The fields of a protobuf message, in order. */
function fields(bytes: Uint8Array): { field: number; value: number | Uint8Array }[] {
  const out: { field: number; value: number | Uint8Array }[] = [];
  let pos = 0;
  const varint = () => {
    let [value, scale] = [0, 1];
    for (;;) {
      const byte = bytes[pos++];
      value += (byte & 0x7f) * scale;
      scale *= 128;
      if (byte < 0x80) return value;
    }
  };
  while (pos < bytes.length) {
    const key = varint();
    const wire = key & 7;
    if (wire === 0) out.push({ field: key >> 3, value: varint() });
    else if (wire === 1) {
      out.push({ field: key >> 3, value: new DataView(bytes.buffer, bytes.byteOffset + pos, 8).getFloat64(0, true) });
      pos += 8;
    } else if (wire === 2) {
      const length = varint();
      out.push({ field: key >> 3, value: bytes.subarray(pos, pos + length) });
      pos += length;
    } else throw new Error(`wire type ${wire}`);
  }
  return out;
}

/** The varints of a packed field. */
function unpack(bytes: Uint8Array): number[] {
  const values: number[] = [];
  let [value, scale] = [0, 1];
  for (const byte of bytes) {
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) {
      values.push(value);
      [value, scale] = [0, 1];
    }
  }
  return values;
}

function decodeValue(bytes: Uint8Array): unknown {
  const [{ field, value }] = fields(bytes);
  if (field === 1) return new TextDecoder().decode(value as Uint8Array);
  if (field === 6) return (value as number) % 2 === 1 ? -((value as number) + 1) / 2 : (value as number) / 2;
  if (field === 7) return value === 1;
  return value;
}

function decodeGeometry(type: number, commands: number[]): TilePosition[][] {
  const parts: TilePosition[][] = [];
  let [x, y, i] = [0, 0, 0];
  while (i < commands.length) {
    const [id, count] = [commands[i] & 7, commands[i] >> 3];
    i++;
    if (id === 7) continue;
    if (id === 1 && (type === 3 || parts.length === 0)) parts.push([]);
    for (let k = 0; k < count; k++) {
      const unzig = (n: number) => (n >>> 1) ^ -(n & 1);
      x += unzig(commands[i++]);
      y += unzig(commands[i++]);
      parts[parts.length - 1].push([x, y]);
    }
  }
  return parts;
}

/** The layers of a tile, in the order written. */
export function decodeVectorTile(bytes: Uint8Array) {
  return fields(bytes).map(({ field, value }) => {
    if (field !== 3) throw new Error(`field ${field} in a tile, where only layers (3) belong`);
    const layer = fields(value as Uint8Array);
    const keys = layer.filter((f) => f.field === 3).map((f) => new TextDecoder().decode(f.value as Uint8Array));
    const values = layer.filter((f) => f.field === 4).map((f) => decodeValue(f.value as Uint8Array));
    const features: DecodedFeature[] = layer.filter((f) => f.field === 2).map((f) => {
      const parts = fields(f.value as Uint8Array);
      const tags = unpack((parts.find((p) => p.field === 2)?.value as Uint8Array) ?? new Uint8Array());
      const type = parts.find((p) => p.field === 3)!.value as number;
      const commands = unpack(parts.find((p) => p.field === 4)!.value as Uint8Array);
      const properties: Record<string, unknown> = {};
      for (let t = 0; t < tags.length; t += 2) properties[keys[tags[t]]] = values[tags[t + 1]];
      return { id: parts.find((p) => p.field === 1)?.value as number | undefined, type, properties, commands, parts: decodeGeometry(type, commands) };
    });
    const one = (n: number) => layer.find((f) => f.field === n)?.value;
    return { name: new TextDecoder().decode(one(1) as Uint8Array), extent: one(5), version: one(15), keys, values, features };
  });
}

/** Twice the area by the surveyor's formula in tile coordinates (positive: clockwise on screen). */
export function ringArea(ring: TilePosition[]): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) sum += ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
  return sum;
}


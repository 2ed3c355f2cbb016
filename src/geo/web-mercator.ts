/**
 * XYZ tiles of Web Mercator (EPSG:3857), as MapLibre and every slippy map number them: zoom z
 * splits the square world into 2^z × 2^z tiles of 256 px, x eastwards from 180°W, y southwards
 * from about 85.05°N.
 */

/** Pixels along one side of a tile. */
export const TILE_SIZE = 256;

/** Sphere radius of Web Mercator (the WGS84 semi-major axis), m. */
const RADIUS = 6378137;
/** Half the width of the world in Web Mercator metres. */
const HALF_WORLD = Math.PI * RADIUS;
/** Latitude where the Web Mercator square ends. */
const MAX_LATITUDE = 85.0511287798066;

/** One tile: zoom, column, row. */
export interface TileAddress {
  z: number;
  x: number;
  y: number;
}

/** [minX, minY, maxX, maxY] in EPSG:3857 metres. */
export type MercatorBounds = [number, number, number, number];

/** True when the tile exists at its zoom (integers, 0 ≤ x, y < 2^z). */
export function isTileInRange({ z, x, y }: TileAddress): boolean {
  const count = 2 ** z;
  return [z, x, y].every(Number.isInteger) && z >= 0 && x >= 0 && y >= 0 && x < count && y < count;
}

/** The tile's extent in EPSG:3857 metres. */
export function tileBounds({ z, x, y }: TileAddress): MercatorBounds {
  const size = (2 * HALF_WORLD) / 2 ** z;
  const minX = -HALF_WORLD + x * size;
  const maxY = HALF_WORLD - y * size;
  return [minX, maxY - size, minX + size, maxY];
}

/** Longitude/latitude (degrees) to EPSG:3857 metres; latitudes beyond ±85.05° are clamped. */
export function lonLatToMercator([lon, lat]: [number, number]): [number, number] {
  const phi = (Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat)) * Math.PI) / 180;
  return [(lon * Math.PI * RADIUS) / 180, RADIUS * Math.log(Math.tan(Math.PI / 4 + phi / 2))];
}

/** EPSG:3857 metres to longitude/latitude (degrees). */
export function mercatorToLonLat([x, y]: [number, number]): [number, number] {
  const lon = (x / RADIUS) * (180 / Math.PI);
  const lat = (2 * Math.atan(Math.exp(y / RADIUS)) - Math.PI / 2) * (180 / Math.PI);
  return [lon, lat];
}

/** The tile at zoom `z` holding a longitude/latitude (clamped to the world's edge tiles). */
export function lonLatToTile(lon: number, lat: number, z: number): TileAddress {
  const [mx, my] = lonLatToMercator([lon, lat]);
  const count = 2 ** z;
  const clamp = (v: number) => Math.max(0, Math.min(count - 1, Math.floor(v)));
  return { z, x: clamp(((mx + HALF_WORLD) / (2 * HALF_WORLD)) * count), y: clamp(((HALF_WORLD - my) / (2 * HALF_WORLD)) * count) };
}

/** Longitude/latitude of a tile's north-west corner. */
export function tileToLonLat({ z, x, y }: TileAddress): [number, number] {
  const [minX, , , maxY] = tileBounds({ z, x, y });
  return mercatorToLonLat([minX, maxY]);
}

/**
 * The (fractional) zoom whose pixels cover `metresPerPixel` of ground at `latitude`: Web Mercator
 * stretches east-west distances by 1 / cos(latitude), so ground pixels shrink towards the poles.
 */
export function zoomForResolution(metresPerPixel: number, latitude: number): number {
  if (!(metresPerPixel > 0)) throw new RangeError(`ground resolution must be a positive number of metres, got ${metresPerPixel}`);
  const groundPerPixelAtZoom0 = ((2 * HALF_WORLD) / TILE_SIZE) * Math.cos((latitude * Math.PI) / 180);
  return Math.log2(groundPerPixelAtZoom0 / metresPerPixel);
}

/**
 * GeoJSON vector layers: RFC 7946 (WGS84), or old-style GeoJSON whose `crs` member names the CRS.
 */
import { readPolygonCollection } from '../geo/geojson.js';
import type { VectorLayer } from './vector-layer.js';

/** Reads a polygon GeoJSON FeatureCollection; errors name the file and the 1-based feature number. */
export async function readGeoJsonLayer(path: string): Promise<VectorLayer> {
  const collection = await readPolygonCollection(path);
  const features = collection.features.map((feature, index) => ({ row: index + 1, ...feature }));
  return { file: path, format: 'geojson', crs: collection.crs, features };
}

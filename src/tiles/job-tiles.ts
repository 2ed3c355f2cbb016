/**
 * Tiles of a detect job's layers for the map review page, as the service serves them: what
 * layers a job has and where they are, and each tile rendered on first request and cached on
 * disk under `<tiles dir>/<job id>/…` (pyramids under `<tiles dir>/pyramids/`).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { BadInputError, NotFoundError } from '../errors.js';
import { crsDefinition } from '../geo/crs.js';
import type { TileAddress } from '../geo/web-mercator.js';
import { intersectExtents, type Extent } from '../raster/extent.js';
import { extentIn, groundResolution, zoomRange } from './extent.js';
import { jobLayers, type HeightChangeLayer, type JobLayer, type TileJob, type TileLayerName } from './job-layers.js';
import { openRasterStore, type OpenRaster, type RasterStore, type StoredRaster } from './raster-store.js';
import { encodeTile, renderHeightChange, renderOrthophoto, type TileFormat } from './render.js';
import { tileCache } from './tile-cache.js';

/** Bumped when rendering changes, so that tiles cached before are not served. */
const RENDER_VERSION = 1;

/** A layer of a job as a map shows it. */
export interface LayerDescription {
  name: TileLayerName;
  /** WGS84 [west, south, east, north]. */
  bounds: Extent;
  /** Ground size of the finest raster's pixels, m. */
  gsdM: number;
  minzoom: number;
  maxzoom: number;
}

/** One tile: its bytes (none: nothing to draw there) and an ETag naming its version. */
export interface RenderedTile {
  bytes: Buffer;
  etag: string;
}

/** The tiles of every job. */
export interface JobTiles {
  /** The layers the job has. */
  describe(job: TileJob): Promise<LayerDescription[]>;
  /** A tile of one of the job's layers (NotFoundError when the job has no such layer). */
  tile(job: TileJob, layer: TileLayerName, address: TileAddress, format: TileFormat): Promise<RenderedTile>;
  /** Closes the rasters (waiting for pyramid builds in progress). */
  close(): Promise<void>;
}

/** Tiles cached in `tilesDir`; `openRaster` opens a raster file (a GeoTIFF by default). */
export function openJobTiles(tilesDir: string, openRaster?: OpenRaster): JobTiles {
  const store = openRasterStore(join(tilesDir, 'pyramids'), openRaster);
  const cache = tileCache(tilesDir);

  const describe = async (job: TileJob): Promise<LayerDescription[]> => {
    const described = [];
    for (const layer of jobLayers(job)) {
      const paths = layer.name === 'height-change' ? [layer.beforeDsm, layer.afterDsm] : [layer.orthophoto];
      described.push(await useAll(store, paths, async (rasters) => describeLayer(layer.name, rasters)));
    }
    return described;
  };

  const tile = async (job: TileJob, name: TileLayerName, address: TileAddress, format: TileFormat): Promise<RenderedTile> => {
    const layer = jobLayers(job).find((candidate) => candidate.name === name);
    if (!layer) throw missingLayer(job.id, name);
    const inputs = layer.name === 'height-change' ? layer.rasters : [layer.orthophoto];
    const fingerprints = await Promise.all(inputs.map((path) => store.fingerprint(path)));
    const version = createHash('sha256').update(JSON.stringify([RENDER_VERSION, layer, fingerprints])).digest('hex').slice(0, 16);
    const key = { job: job.id, layer: name, version, ...address, ext: format };
    const bytes = await cache.get(key, async () => {
      const rgba = await renderLayer(store, layer, address);
      return rgba && encodeTile(rgba, format);
    });
    return { bytes, etag: `"${version}-${address.z}-${address.x}-${address.y}.${format}"` };
  };

  return { describe, tile, close: () => store.close() };
}

function missingLayer(jobId: number, name: TileLayerName): NotFoundError {
  const needs = {
    before: 'it has no before orthophoto',
    after: 'it has no after orthophoto',
    'height-change': 'that needs both DSMs and the vertical offset its run measured between them',
  };
  return new NotFoundError(`job ${jobId} has no ${name} layer: ${needs[name]}`);
}

async function renderLayer(store: RasterStore, layer: JobLayer, address: TileAddress): Promise<Uint8Array | null> {
  if (layer.name !== 'height-change') return store.use(layer.orthophoto, (raster) => renderOrthophoto(raster, address));
  const { beforeDsm, afterDsm, gridReference, rasters } = layer;
  return useAll(store, [beforeDsm, afterDsm, gridReference, ...rasters], ([before, after, reference, ...all]) => {
    // the run's grid may be in another CRS than the after raster (a Web Mercator flight is measured in its UTM zone)
    const offsetCrs = layer.gridCrs ? crsDefinition(layer.gridCrs) : reference.info.proj4;
    if (offsetCrs === null) throw new BadInputError(`${reference.name} has an unknown CRS: the offset plane of the height change cannot be placed`);
    return renderHeightChange({ before, after, offset: offsetPlane(layer, offsetCrs, all), offsetCrs, shift: layer.shift }, address);
  });
}

/**
 * The run's offset plane with its centre. The summary leaves the centre out; the fit centres it
 * on the mean position of its samples, which cover the analysis grid (the rasters' common
 * extent) evenly, so the grid's centre stands in for it: a tilt of 1e-4 m/m and a centre 50 m
 * off move the plane by 5 mm.
 */
function offsetPlane(layer: HeightChangeLayer, crs: string, rasters: StoredRaster[]) {
  const common = intersectExtents(rasters.map((raster) => extentIn(raster, crs)));
  if (!common) throw new NotFoundError(`the rasters of the height-change layer do not overlap: ${rasters.map((r) => r.name).join(', ')}`);
  return { ...layer.offset, centreX: (common[0] + common[2]) / 2, centreY: (common[1] + common[3]) / 2 };
}

function describeLayer(name: TileLayerName, rasters: StoredRaster[]): LayerDescription {
  const bounds = intersectExtents(rasters.map((raster) => extentIn(raster, 4326)));
  if (!bounds) throw new NotFoundError(`the rasters of the ${name} layer do not overlap: ${rasters.map((r) => r.name).join(', ')}`);
  const latitude = (bounds[1] + bounds[3]) / 2;
  const finest = rasters.reduce((a, b) => (groundResolution(a.info, latitude) <= groundResolution(b.info, latitude) ? a : b));
  const gsdM = groundResolution(finest.info, latitude);
  const spanM = Math.max(finest.info.width, finest.info.height) * gsdM;
  return { name, bounds, gsdM, ...zoomRange(gsdM, spanM, latitude) };
}

/** Runs `work` with all the rasters at `paths` in use. */
function useAll<T>(store: RasterStore, paths: string[], work: (rasters: StoredRaster[]) => Promise<T>, opened: StoredRaster[] = []): Promise<T> {
  if (opened.length === paths.length) return work(opened);
  return store.use(paths[opened.length], (raster) => useAll(store, paths, work, [...opened, raster]));
}

/**
 * Rasters over HTTP(S): a Cloud-Optimized GeoTIFF is read with range requests, a block of the file
 * at a time, never whole. Before geotiff.js opens a URL, one small range request checks that the
 * server is there, has the file and answers ranges; after its first directory is read, the image
 * must be tiled (a striped file's windows cost whole strips, as wide as the raster).
 */
import type { GeoTIFFImage } from 'geotiff';
import { BadInputError, NotFoundError } from '../errors.js';

/** True when a raster flag names an http(s) URL rather than a file. */
export function isRasterUrl(pathOrUrl: string): boolean {
  return /^https?:\/\//i.test(pathOrUrl);
}

const cogHint = 'convert it with `zhiwei cog IN OUT` and serve the COG from a server that answers Range requests (nginx, Apache, S3, OSS, MinIO do)';

/** Refuses a URL whose server is unreachable, has no such file or ignores Range requests. */
export async function checkRangeRequests(url: string): Promise<void> {
  const controller = new AbortController();
  let response: Response;
  try {
    response = await fetch(url, { headers: { Range: 'bytes=0-15' }, signal: controller.signal });
  } catch (err) {
    throw new BadInputError(`cannot reach raster ${url}: ${causeOf(err)}`, 'check the address and that the server is up');
  }
  // Only the status matters; a server that ignores the range would send the whole file.
  controller.abort();
  if (response.status === 404 || response.status === 410) throw new NotFoundError(`raster ${url} does not exist (HTTP ${response.status})`);
  if (response.status === 200) {
    throw new BadInputError(`${url}: the server does not answer range requests (it sent the whole file, HTTP 200), so windows cannot be read without downloading it`, cogHint);
  }
  if (response.status !== 206) throw new BadInputError(`cannot read raster ${url}: HTTP ${response.status} ${response.statusText}`.trim());
}

/** Refuses a remote raster stored in strips rather than tiles. */
export function checkTiledForHttp(image: GeoTIFFImage, url: string): void {
  if (image.isTiled) return;
  throw new BadInputError(`${url} is not tiled (it is stored in strips), so reading a window over HTTP would fetch whole rows of the raster`, cogHint);
}

/** Node's fetch hides the reason (refused, unknown host) in `cause`. */
function causeOf(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  const reason = cause instanceof Error ? cause : err;
  return reason instanceof Error ? reason.message : String(reason);
}

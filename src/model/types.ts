/**
 * The change-model contract (DESIGN.md section 5): a manifest that describes an ONNX model's
 * inputs, normalization and tiling, and the `ChangeModel` seam the pipeline runs batches through.
 */

/** One epoch's input tensor: RGB channels, NCHW float32, already normalized. */
export interface ModelInput {
  name: string;
  channels: 'RGB';
  layout: 'NCHW';
  dtype: 'float32';
}

/** How a tile pair's colours are made comparable before inference. */
export type Radiometry = 'as_is' | 'before_matched_to_after';

/** `models/<name>.json`, field names as in the file. */
export interface ModelManifest {
  name: string;
  version: string;
  inputs: { before: ModelInput; after: ModelInput };
  /** Per-channel (R, G, B) statistics in 0-255 pixel units: normalized = (pixel - mean) / std. */
  normalization: { mean: [number, number, number]; std: [number, number, number] };
  /**
   * What is done to the epochs' colours before normalization: `as_is`, or `before_matched_to_after`
   * (each before tile's channels given the mean and spread of the after tile's, so a flight in
   * another season, camera or white balance does not read as change). Absent in a file: `as_is`.
   */
  radiometry: Radiometry;
  /** Tile edge in pixels; the model takes N x 3 x tile_size x tile_size. */
  tile_size: number;
  /** Pixels shared by neighbouring tiles, blended so that seams do not show. */
  overlap: number;
  /** Native ground sample distance in metres: both epochs are resampled to it. */
  gsd_m: number;
  /** Change probability 0-1, N x 1 x tile_size x tile_size. */
  output: { name: string; layout: 'NCHW'; dtype: 'float32' };
  /** Default probability above which a pixel counts as changed. */
  threshold: number;
  /** Model card: architecture, training data, metrics, intended use, limitations. */
  card: Record<string, unknown>;
}

/** A change-detection model that turns batches of normalized tile pairs into change probabilities. */
export interface ChangeModel {
  readonly manifest: ModelManifest;
  /**
   * Change probability (batch x 1 x tile x tile) for `batch` tile pairs, each given as normalized
   * NCHW float32 (batch x 3 x tile x tile), as `toModelInput` makes them.
   */
  run(before: Float32Array, after: Float32Array, batch: number): Promise<Float32Array>;
  /** Frees the model's session. */
  close(): Promise<void>;
}

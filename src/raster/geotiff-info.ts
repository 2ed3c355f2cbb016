/**
 * GeoTIFF tags → `RasterInfo`: CRS from the GeoKeys, geotransform from ModelTiepoint +
 * ModelPixelScale or ModelTransformation, nodata from GDAL_NODATA, sample type from
 * SampleFormat + BitsPerSample, the unit of a height model's values from the vertical GeoKeys and
 * GDAL_METADATA.
 */
import type { GeoTIFFImage } from 'geotiff';
import { BadInputError } from '../errors.js';
import { proj4Definition } from '../geo/crs.js';
import type { GeoTransform } from '../geo/geotransform.js';
import type { LengthUnit, RasterInfo, SampleType } from './types.js';

/** GeoKey value meaning "user-defined" rather than an EPSG code. */
const USER_DEFINED = 32767;
/** GTModelTypeGeoKey value of a geographic (longitude/latitude) raster. */
const MODEL_GEOGRAPHIC = 2;
/** ProjCoordTransGeoKey value of Transverse Mercator. */
const CT_TRANSVERSE_MERCATOR = 1;
/** ProjLinearUnitsGeoKey value of metres. */
const LINEAR_METRE = 9001;
/** GTRasterTypeGeoKey value for RasterPixelIsPoint. */
const PIXEL_IS_POINT = 2;

/** Reads the georeferencing and layout of the first image of a GeoTIFF. */
export async function readRasterInfo(image: GeoTIFFImage, name: string): Promise<RasterInfo> {
  const geoKeys = image.getGeoKeys() ?? {};
  const epsg = epsgFromGeoKeys(geoKeys);
  const bandCount = image.getSamplesPerPixel();
  const sampleType = await readSampleType(image, name);
  // only one band of floats holds heights (ingest refuses any other height model)
  const heights = bandCount === 1 && (sampleType === 'float32' || sampleType === 'float64');
  const heightUnit = heights ? await readHeightUnit(image, geoKeys, name) : null;
  return {
    width: image.getWidth(),
    height: image.getHeight(),
    bandCount,
    sampleType,
    epsg,
    proj4: epsg === null ? userDefinedProj4(geoKeys) : knownProj4(epsg),
    geoTransform: await readGeoTransform(image, geoKeys, name),
    nodata: readNodata(image),
    ...(heightUnit && heightUnit.metres !== 1 ? { heightUnit } : {}),
  };
}

/** Length units of heights, by EPSG unit code (the values of VerticalUnitsGeoKey). */
const lengthUnits: Record<number, LengthUnit> = {
  9001: { name: 'metre', metres: 1 },
  9002: { name: 'foot', metres: 0.3048 },
  9003: { name: 'US survey foot', metres: 1200 / 3937 },
  9095: { name: 'British foot (1936)', metres: 0.3048007491 },
};

/**
 * The EPSG vertical CRSs of heights not in metres, with their unit (from the EPSG registry in
 * PROJ's proj.db); every other vertical CRS is in metres. GDAL writes a compound CRS such as
 * EPSG:4549+6360 as VerticalCSTypeGeoKey alone, without VerticalUnitsGeoKey.
 */
const verticalCrsUnits: Record<number, number> = {
  5702: 9003, // NGVD29 height (ftUS)
  5754: 9095, // Poolbeg height (ft(Br36))
  6130: 9002, // GCVD54 height (ft)
  6131: 9002, // LCVD61 height (ft)
  6132: 9002, // CBVD61 height (ft)
  6360: 9003, // NAVD88 height (ftUS)
  8050: 9002, // MSL height (ft)
  8052: 9003, // MSL height (ftUS)
  8228: 9002, // NAVD88 height (ft)
};

/** GDAL's band unit (UNITTYPE, free text as `gdal_edit.py -units` sets it) → EPSG unit code. */
const unitTypes: Record<string, number> = {
  m: 9001, metre: 9001, meter: 9001, metres: 9001, meters: 9001,
  ft: 9002, foot: 9002, feet: 9002, 'international foot': 9002,
  'us survey foot': 9003, 'us survey feet': 9003, ftus: 9003, 'us-ft': 9003, 'us ft': 9003,
  'british foot (1936)': 9095,
};

const unitHint = 'heights must be in metres or feet; if the values are metres, say so with gdal_edit.py -units m';

/**
 * The unit of a height model's values: from VerticalUnitsGeoKey, else the vertical CRS
 * (VerticalCSTypeGeoKey), and from the band's UNITTYPE in GDAL_METADATA; null when the file names
 * none (read as metres). A unit zhiwei does not know, or two sources that disagree, are refused.
 */
async function readHeightUnit(image: GeoTIFFImage, geoKeys: Record<string, unknown>, name: string): Promise<LengthUnit | null> {
  const keyCode = typeof geoKeys.VerticalUnitsGeoKey === 'number' ? geoKeys.VerticalUnitsGeoKey : undefined;
  const crsCode = typeof geoKeys.VerticalCSTypeGeoKey === 'number' ? verticalCrsUnits[geoKeys.VerticalCSTypeGeoKey] : undefined;
  const fromKeys = keyCode ?? crsCode;
  if (fromKeys !== undefined && !lengthUnits[fromKeys]) {
    throw new BadInputError(`${name}: VerticalUnitsGeoKey ${fromKeys} is not a unit of length zhiwei knows`, unitHint);
  }
  const metadata = (await image.getGDALMetadata(0)) as Record<string, unknown> | null;
  const unitType = typeof metadata?.UNITTYPE === 'string' ? metadata.UNITTYPE.trim() : '';
  const fromMetadata = unitType === '' ? undefined : unitTypes[unitType.toLowerCase()];
  if (unitType !== '' && fromMetadata === undefined) {
    throw new BadInputError(`${name}: band 1 is in "${unitType}" (UNITTYPE in GDAL_METADATA), not a unit of length zhiwei knows`, unitHint);
  }
  if (fromKeys !== undefined && fromMetadata !== undefined && lengthUnits[fromKeys].metres !== lengthUnits[fromMetadata].metres) {
    throw new BadInputError(
      `${name}: its GeoKeys put the heights in ${lengthUnits[fromKeys].name}, its GDAL_METADATA UNITTYPE in ${lengthUnits[fromMetadata].name}`,
      'correct the wrong one: gdal_edit.py -units sets UNITTYPE, gdal_edit.py -a_srs the vertical CRS',
    );
  }
  const code = fromKeys ?? fromMetadata;
  return code === undefined ? null : lengthUnits[code];
}

/**
 * EPSG code of the raster's CRS: the projected CRS for a projected model, the geographic one for a
 * geographic model. Null when user-defined (a projected CRS built on EPSG:4326 is not 4326).
 */
function epsgFromGeoKeys(geoKeys: Record<string, unknown>): number | null {
  const model = geoKeys.GTModelTypeGeoKey;
  const projected = geoKeys.ProjectedCSTypeGeoKey;
  const key = model === MODEL_GEOGRAPHIC || (model === undefined && projected === undefined)
    ? 'GeographicTypeGeoKey'
    : 'ProjectedCSTypeGeoKey';
  const code = geoKeys[key];
  return typeof code === 'number' && code > 0 && code !== USER_DEFINED ? code : null;
}

/**
 * proj4 string of a user-defined Transverse Mercator CRS in metres (local Gauss-Krüger zones with
 * an odd central meridian are common in Chinese surveys); null for anything else.
 */
function userDefinedProj4(geoKeys: Record<string, unknown>): string | null {
  const num = (...keys: string[]): number | undefined => {
    const key = keys.find((k) => typeof geoKeys[k] === 'number');
    return key === undefined ? undefined : (geoKeys[key] as number);
  };
  const units = num('ProjLinearUnitsGeoKey');
  const ellipsoid = ellipsoidOf(geoKeys);
  if (num('ProjCoordTransGeoKey') !== CT_TRANSVERSE_MERCATOR || (units !== undefined && units !== LINEAR_METRE) || !ellipsoid) {
    return null;
  }
  const lon0 = num('ProjNatOriginLongGeoKey', 'ProjCenterLongGeoKey', 'ProjFalseOriginLongGeoKey') ?? 0;
  const lat0 = num('ProjNatOriginLatGeoKey', 'ProjCenterLatGeoKey', 'ProjFalseOriginLatGeoKey') ?? 0;
  const k = num('ProjScaleAtNatOriginGeoKey', 'ProjScaleAtCenterGeoKey') ?? 1;
  const x0 = num('ProjFalseEastingGeoKey', 'ProjFalseOriginEastingGeoKey') ?? 0;
  const y0 = num('ProjFalseNorthingGeoKey', 'ProjFalseOriginNorthingGeoKey') ?? 0;
  return `+proj=tmerc +lat_0=${lat0} +lon_0=${lon0} +k=${k} +x_0=${x0} +y_0=${y0} ${ellipsoid} +units=m +no_defs`;
}

/** proj4 ellipsoid (and datum shift, for the WGS84-compatible ones) from the GeoKeys. */
function ellipsoidOf(geoKeys: Record<string, unknown>): string | null {
  const a = geoKeys.GeogSemiMajorAxisGeoKey;
  const rf = geoKeys.GeogInvFlatteningGeoKey;
  const ellipsoid = geoKeys.GeogEllipsoidGeoKey;
  const geographic = geoKeys.GeographicTypeGeoKey;
  if (ellipsoid === 7019 || geographic === 4490) return '+ellps=GRS80 +towgs84=0,0,0,0,0,0,0';
  if (ellipsoid === 7030 || geographic === 4326) return '+ellps=WGS84 +towgs84=0,0,0,0,0,0,0';
  if (ellipsoid === 7024) return '+ellps=krass';
  if (typeof a === 'number' && typeof rf === 'number') return `+a=${a} +rf=${rf}`;
  return null;
}

/** proj4 string for the code, or null when zhiwei has no definition (ingest reports it). */
function knownProj4(epsg: number): string | null {
  try {
    return proj4Definition(epsg);
  } catch (err) {
    if (err instanceof BadInputError) return null;
    throw err;
  }
}

async function readGeoTransform(
  image: GeoTIFFImage,
  geoKeys: Record<string, unknown>,
  name: string,
): Promise<GeoTransform> {
  const fd = image.getFileDirectory();
  const transformation = numbers(await fd.loadValue('ModelTransformation'));
  const tiepoint = numbers(await fd.loadValue('ModelTiepoint'));
  const scale = numbers(await fd.loadValue('ModelPixelScale'));
  let gt: GeoTransform;
  if (transformation && transformation.length >= 16) {
    const m = transformation;
    gt = [m[3], m[0], m[1], m[7], m[4], m[5]];
  } else if (tiepoint && tiepoint.length === 6 && scale && scale.length >= 2) {
    const [i, j, , x, y] = tiepoint;
    gt = [x - i * scale[0], scale[0], 0, y + j * scale[1], 0, -scale[1]];
  } else {
    const why = tiepoint && tiepoint.length > 6 ? 'only ground control points, which zhiwei does not warp' : 'no georeferencing';
    throw new BadInputError(
      `${name} has ${why} (no ModelPixelScale + ModelTiepoint or ModelTransformation)`,
      'georeference it first, e.g. gdal_translate -a_srs EPSG:4549 -a_ullr ... or gdalwarp',
    );
  }
  if (geoKeys.GTRasterTypeGeoKey === PIXEL_IS_POINT) {
    // Point convention: the tiepoint is the pixel centre; shift to the corner as GDAL does.
    gt[0] -= 0.5 * (gt[1] + gt[2]);
    gt[3] -= 0.5 * (gt[4] + gt[5]);
  }
  if (!gt.every(Number.isFinite) || gt[1] * gt[5] - gt[2] * gt[4] === 0) {
    throw new BadInputError(`${name} has a degenerate geotransform ${JSON.stringify(gt)}`);
  }
  return gt;
}

async function readSampleType(image: GeoTIFFImage, name: string): Promise<SampleType> {
  const fd = image.getFileDirectory();
  const bits = numbers(await fd.loadValue('BitsPerSample')) ?? [1];
  const formats = numbers(await fd.loadValue('SampleFormat')) ?? [1];
  const format = formats[0];
  const size = bits[0];
  const uniform = bits.every((b) => b === size) && formats.every((f) => f === format);
  const type = uniform ? sampleTypeOf(format, size) : null;
  if (type === null) {
    const what = `SampleFormat ${formats.join(',')} with BitsPerSample ${bits.join(',')}`;
    throw new BadInputError(
      `${name} has an unsupported sample type (${what})`,
      'zhiwei reads uint8, uint16, int16, uint32, int32, float32 and float64, the same in every band; convert with gdal_translate -ot',
    );
  }
  return type;
}

function sampleTypeOf(format: number, bits: number): SampleType | null {
  if (format === 1 && bits === 8) return 'uint8';
  if (format === 1 && bits === 16) return 'uint16';
  if (format === 2 && bits === 16) return 'int16';
  if (format === 1 && bits === 32) return 'uint32';
  if (format === 2 && bits === 32) return 'int32';
  if (format === 3 && bits === 32) return 'float32';
  if (format === 3 && bits === 64) return 'float64';
  return null;
}

/** GDAL_NODATA is ASCII ("-9999", "nan"); null when absent or unparsable. */
function readNodata(image: GeoTIFFImage): number | null {
  const fd = image.getFileDirectory();
  if (!fd.hasTag('GDAL_NODATA')) return null;
  const text = String(fd.getValue('GDAL_NODATA')).replace(/\0/g, '').trim();
  if (/^[+-]?nan$/i.test(text)) return NaN;
  const value = Number(text);
  return text !== '' && !Number.isNaN(value) ? value : null;
}

function numbers(value: unknown): number[] | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return [value];
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return Array.from(value as ArrayLike<number>, Number);
  return null;
}

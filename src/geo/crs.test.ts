import { describe, expect, it } from 'vitest';
import { areaOfUse, crsDefinition, crsFromWkt, crsMeasure, crsTransform, gaussKrugerEpsgForLongitude, localMetricCrs, proj4Definition, toWgs84, utmEpsg } from './crs.js';
import { BadInputError } from '../errors.js';

describe('crs', () => {
  it('puts EPSG:4549 on the 120°E meridian with a 500 km false easting', () => {
    const [lon, lat] = toWgs84(4549)([500000, 3350000]);
    expect(lon).toBeCloseTo(120, 9);
    expect(lat).toBeGreaterThan(30.2);
    expect(lat).toBeLessThan(30.3);
  });

  it('carries the zone number in the false easting of EPSG:4513-4533', () => {
    expect(proj4Definition(4528)).toContain('+lon_0=120');
    expect(proj4Definition(4528)).toContain('+x_0=40500000');
    const [lon] = toWgs84(4528)([40500000, 3350000]);
    expect(lon).toBeCloseTo(120, 9);
  });

  it('maps between the zone-prefixed and plain Gauss-Krüger forms of one zone', () => {
    const [x, y] = crsTransform(4549, 4528)([512345.6, 3351234.5]);
    expect(x).toBeCloseTo(40512345.6, 3);
    expect(y).toBeCloseTo(3351234.5, 3);
  });

  it('knows the CGCS2000 6-degree zones', () => {
    expect(proj4Definition(4498)).toContain('+lon_0=117');
    expect(proj4Definition(4510)).toContain('+lon_0=123');
  });

  it('knows UTM north and south', () => {
    const [lon] = toWgs84(32650)([500000, 3350000]);
    expect(lon).toBeCloseTo(117, 9);
    expect(proj4Definition(32750)).toContain('+south');
  });

  it('rejects an unknown EPSG code and says how to pass a proj string', () => {
    expect(() => proj4Definition(2000)).toThrow(BadInputError);
    try {
      proj4Definition(2000);
    } catch (err) {
      expect((err as BadInputError).message).toContain('EPSG:2000');
      expect((err as BadInputError).hint).toContain('proj string');
    }
  });

  it('accepts "EPSG:n" and proj strings, and rejects anything else', () => {
    expect(crsDefinition('epsg:4326')).toContain('longlat');
    expect(crsDefinition('+proj=longlat +ellps=GRS80')).toBe('+proj=longlat +ellps=GRS80');
    expect(() => crsDefinition('Beijing 1954')).toThrow(/neither an EPSG code nor a proj string/);
  });

  it("derives each zone's area of use from its central meridian, half a zone wider on each side", () => {
    expect(areaOfUse(4549)).toEqual({ west: 117, south: 16.7, east: 123, north: 53.56 });
    expect(areaOfUse(4528)).toEqual(areaOfUse(4549));
    expect(areaOfUse(4498)).toEqual({ west: 111, south: 16.7, east: 123, north: 53.56 });
    expect(areaOfUse(32650)).toEqual({ west: 111, south: 0, east: 123, north: 84 });
    expect(areaOfUse(32750)).toEqual({ west: 111, south: -80, east: 123, north: 0 });
    expect(areaOfUse(4326)).toEqual({ west: -180, south: -90, east: 180, north: 90 });
    expect(areaOfUse(3857)?.north).toBeCloseTo(85.06, 2);
    expect(areaOfUse(2000)).toBeNull();
  });

  it('picks the nearest 3-degree zone for a longitude', () => {
    expect(gaussKrugerEpsgForLongitude(120.4)).toBe(4549);
    expect(gaussKrugerEpsgForLongitude(116.6)).toBe(4548);
  });

  it('picks the UTM zone of a point, north or south', () => {
    expect(utmEpsg(-74, 40.7)).toBe(32618);
    expect(utmEpsg(151.2, -33.9)).toBe(32756);
    expect(utmEpsg(180, 10)).toBe(32660);
  });

  it('picks the Gauss-Krüger zone in China and the UTM zone elsewhere, with their EPSG names', () => {
    expect(localMetricCrs(120.4, 30.2)).toEqual({ epsg: 4549, name: 'CGCS2000 / 3-degree Gauss-Kruger CM 120E' });
    expect(localMetricCrs(116.9, 41)).toEqual({ epsg: 4548, name: 'CGCS2000 / 3-degree Gauss-Kruger CM 117E' });
    expect(localMetricCrs(-8.6, 41.1)).toEqual({ epsg: 32629, name: 'WGS 84 / UTM zone 29N' });
    expect(localMetricCrs(139.7, 35.7)).toEqual({ epsg: 32654, name: 'WGS 84 / UTM zone 54N' });
    expect(localMetricCrs(-47.9, -15.8)).toEqual({ epsg: 32723, name: 'WGS 84 / UTM zone 23S' });
    for (const { epsg } of [localMetricCrs(120.4, 30.2), localMetricCrs(-47.9, -15.8)]) expect(crsMeasure(epsg)).toBe('metres');
  });

  it('tells metres from degrees, Mercator and other units', () => {
    expect(crsMeasure(4549)).toBe('metres');
    expect(crsMeasure(32650)).toBe('metres');
    expect(crsMeasure(esri4549)).toBe('metres');
    expect(crsMeasure(4326)).toBe('degrees');
    expect(crsMeasure(esriWgs84)).toBe('degrees');
    expect(crsMeasure(3857)).toBe('mercator');
    expect(crsMeasure('+proj=merc +lat_ts=41 +datum=WGS84 +units=m')).toBe('mercator');
    expect(crsMeasure('+proj=tmerc +lon_0=117 +ellps=GRS80 +units=us-ft')).toEqual({ unit: 'us-ft' });
    expect(crsMeasure('+proj=tmerc +lon_0=117 +ellps=GRS80 +to_meter=0.3048')).toEqual({ unit: '0.3048 m' });
  });

  it('passes WKT through to proj4', () => {
    const [lon] = crsTransform(esri4549, 4326)([500000, 3350000]);
    expect(lon).toBeCloseTo(120, 9);
    expect(crsDefinition(`  ${esri4549}`)).toBe(esri4549);
  });

  it('turns a .prj back into the EPSG code it names or whose parameters it has', () => {
    expect(crsFromWkt(esri4549)).toBe(4549);
    expect(crsFromWkt(ogc4549)).toBe(4549);
    expect(crsFromWkt(wkt2_4549)).toBe(4549);
    expect(crsFromWkt(esriWgs84)).toBe(4326);
    expect(crsFromWkt(esriUtm50)).toBe(32650);
    expect(crsFromWkt(esri4549.replace('CGCS2000_3_Degree_GK_CM_120E', 'CGCS2000_3_Degree_GK_Zone_40').replace('500000.0', '40500000.0'))).toBe(4528);
  });

  it('tells a 6-degree zone from the 3-degree zone on the same meridian by its name', () => {
    const sixDegree = esri4549.replace('CGCS2000_3_Degree_GK_CM_120E', 'CGCS2000_GK_CM_117E').replace('120.0', '117.0');
    expect(crsFromWkt(sixDegree)).toBe(4509);
    expect(crsFromWkt(sixDegree.replace('CGCS2000_GK_CM_117E', 'CGCS2000_3_Degree_GK_CM_117E'))).toBe(4548);
  });

  it('keeps the WKT of a CRS zhiwei has no EPSG code for, and rejects WKT proj4 cannot read', () => {
    const xian80 = esri4549.replace('6378137.0,298.257222101', '6378140.0,298.257');
    expect(crsFromWkt(xian80)).toBe(xian80);
    expect(() => crsFromWkt('PROJCS["broken"')).toThrow(BadInputError);
  });
});

const esri4549 =
  'PROJCS["CGCS2000_3_Degree_GK_CM_120E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",120.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]';
const ogc4549 =
  'PROJCS["CGCS2000 / 3-degree Gauss-Kruger CM 120E",GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4490"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",120],PARAMETER["scale_factor",1],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Northing",NORTH],AXIS["Easting",EAST],AUTHORITY["EPSG","4549"]]';
const wkt2_4549 =
  'PROJCRS["CGCS2000 / 3-degree Gauss-Kruger CM 120E",BASEGEOGCRS["China Geodetic Coordinate System 2000",DATUM["China 2000",ELLIPSOID["CGCS2000",6378137,298.257222101,LENGTHUNIT["metre",1]]],PRIMEM["Greenwich",0,ANGLEUNIT["degree",0.0174532925199433]],ID["EPSG",4490]],CONVERSION["3-degree Gauss-Kruger CM 120E",METHOD["Transverse Mercator",ID["EPSG",9807]],PARAMETER["Latitude of natural origin",0,ANGLEUNIT["degree",0.0174532925199433],ID["EPSG",8801]],PARAMETER["Longitude of natural origin",120,ANGLEUNIT["degree",0.0174532925199433],ID["EPSG",8802]],PARAMETER["Scale factor at natural origin",1,SCALEUNIT["unity",1],ID["EPSG",8805]],PARAMETER["False easting",500000,LENGTHUNIT["metre",1],ID["EPSG",8806]],PARAMETER["False northing",0,LENGTHUNIT["metre",1],ID["EPSG",8807]]],CS[Cartesian,2],AXIS["northing (X)",north,ORDER[1],LENGTHUNIT["metre",1]],AXIS["easting (Y)",east,ORDER[2],LENGTHUNIT["metre",1]],ID["EPSG",4549]]';
const esriWgs84 =
  'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]';
const esriUtm50 =
  'PROJCS["WGS_1984_UTM_Zone_50N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]';

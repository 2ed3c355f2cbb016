import { describe, expect, it } from 'vitest';
import { crsDefinition, crsTransform, gaussKrugerEpsgForLongitude, proj4Definition, toWgs84 } from './crs.js';
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

  it('picks the nearest 3-degree zone for a longitude', () => {
    expect(gaussKrugerEpsgForLongitude(120.4)).toBe(4549);
    expect(gaussKrugerEpsgForLongitude(116.6)).toBe(4548);
  });
});

import { describe, expect, it } from 'vitest';
import { layerFileType } from './file-type.js';

describe('layerFileType', () => {
  it('tells GeoJSON (with a BOM or leading blanks), zip, GeoPackage and ASCII or binary DXF by their first bytes', () => {
    expect(layerFileType(Buffer.from('\uFEFF  {"type": "FeatureCollection"'), 'plans.geojson')).toBe('.geojson');
    expect(layerFileType(Buffer.from('{"type": "FeatureCollection"'), 'plans.json')).toBe('.geojson');
    expect(layerFileType(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), 'plans.ZIP')).toBe('.zip');
    expect(layerFileType(Buffer.from('SQLite format 3\0\x10\0'), 'plans.gpkg')).toBe('.gpkg');
    expect(layerFileType(Buffer.from('  0\r\nSECTION\r\n  2\r\nHEADER\r\n'), 'plans.dxf')).toBe('.dxf');
    expect(layerFileType(Buffer.from('999\ndxfrw 0.6.3\n  0\nSECTION\n'), 'plans.dxf')).toBe('.dxf');
    expect(layerFileType(Buffer.from('AutoCAD Binary DXF\r\n\u001a\u0000'), 'plans.dxf')).toBe('.dxf');
  });

  it('takes a file without an extension by its bytes, and refuses a name that disagrees with them', () => {
    expect(layerFileType(Buffer.from('{}'), 'upload')).toBe('.geojson');
    expect(() => layerFileType(Buffer.from('  0\nSECTION\n'), 'plans.geojson')).toThrow('plans.geojson: named .geojson but its bytes are an ASCII DXF drawing');
    expect(() => layerFileType(Buffer.from('<kml>'), 'plans.kml')).toThrow(/^plans.kml: not GeoJSON, a zip file, a GeoPackage or DXF \(its first bytes are 3c6b6d6c3e\)/);
    expect(() => layerFileType(Buffer.alloc(0), 'plans.geojson')).toThrow(/first bytes are missing/);
  });
});

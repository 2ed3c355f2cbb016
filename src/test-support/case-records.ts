/**
 * Hand-made case records for the export tests: three cases near 120° E, 30.27° N (EPSG:4549),
 * one with a hole, with Chinese names, and with text that needs quoting or looks like a formula;
 * the case without a permit records a later permit (not yet valid on its flight date), and one
 * area carries the noise of a computed measure.
 */
import type { CaseRecord } from '../cases/record.js';

const E = 500000;
const N = 3350000;
/** Metres per degree near 30.27° N, close enough for test outlines. */
const [metresPerLon, metresPerLat] = [96190, 110860];

/** A square ring `size` m wide whose south-west corner is (x, y) m from (E, N), in project and WGS84 coordinates. */
function square(x: number, y: number, size: number): { project: [number, number][]; wgs84: [number, number][] } {
  const corners: [number, number][] = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]];
  return {
    project: corners.map(([dx, dy]) => [E + dx, N + dy]),
    wgs84: corners.map(([dx, dy]) => [120 + dx / metresPerLon, 30.2706 + dy / metresPerLat]),
  };
}

function record(id: number, fields: Partial<CaseRecord>, rings: ReturnType<typeof square>[]): CaseRecord {
  return {
    id, state: 'detected', violation: 'no_permit', changeKind: 'new_building', priority: 1.5, gridId: 'WG-01', zones: [], permitNo: null,
    areaM2: 100, heightChangeM: 6.25, heightAfterM: 6.5, flightDate: '2024-10-01', detectedAt: new Date('2024-10-02T03:04:05.678Z'),
    updatedAt: new Date('2024-10-02T03:04:05.678Z'),
    outline: [rings.map((r) => r.wgs84)],
    projectOutline: { epsg: 4549, coordinates: [rings.map((r) => r.project)] },
    ...fields,
  };
}

/** The three sample cases. */
export function sampleCaseRecords(): CaseRecord[] {
  return [
    record(1, { permitNo: '建字第2025-001号' }, [square(0, 0, 10)]),
    record(2, {
      state: 'verified_illegal', violation: 'exceeds_permitted_height', changeKind: 'rooftop_addition', gridId: '西湖-01', zones: ['历史街区', 'main road'],
      permitNo: 'P-2024,"A"', areaM2: 384, heightChangeM: -3.5, heightAfterM: null, flightDate: null,
    }, [square(100, 0, 20), square(105, 5, 4)]),
    record(3, { violation: 'outside_permitted_footprint', changeKind: 'extension', gridId: null, permitNo: '=HYPERLINK("http://x")', areaM2: 61.539999999888245 }, [square(0, 100, 5)]),
  ];
}

/**
 * A small ASCII DXF writer for tests: HEADER ($ACADVER, $DWGCODEPAGE), TABLES with the LAYER
 * table, ENTITIES with LWPOLYLINE, TEXT and MTEXT, with handles and subclass markers as AutoCAD
 * 2000+ writes them. Text is UTF-8 from AC1021 on; before, GBK for code page ANSI_936, else
 * UTF-8 bytes too (so keep text ASCII for other code pages).
 */
import { encodeGbk } from './gbk.js';

/** A polyline to draw: closed unless `closed: false`; `bulges[i]` bends the segment after point i. */
export interface TestPolyline {
  layer: string;
  points: [number, number][];
  closed?: boolean;
  bulges?: number[];
}

/** A label to draw: TEXT, or MTEXT (where formatting codes may be written into `text`). */
export interface TestLabel {
  layer: string;
  at: [number, number];
  text: string;
  mtext?: boolean;
}

/** A drawing to write: AutoCAD version (AC1015 = R2000, AC1027 = R2013) and code page. */
export interface TestDrawing {
  version?: 'AC1015' | 'AC1018' | 'AC1021' | 'AC1027';
  codePage?: string;
  layers: string[];
  polylines: TestPolyline[];
  labels: TestLabel[];
}

/** The drawing as DXF file bytes. */
export function writeDxf(drawing: TestDrawing): Uint8Array {
  const version = drawing.version ?? 'AC1027';
  const codePage = drawing.codePage ?? 'ANSI_1252';
  const pairs: [number, string | number][] = [];
  let handle = 0x20;
  const add = (...groups: [number, string | number][]) => pairs.push(...groups);
  const nextHandle = () => (handle++).toString(16).toUpperCase();

  add([0, 'SECTION'], [2, 'HEADER'], [9, '$ACADVER'], [1, version], [9, '$DWGCODEPAGE'], [3, codePage]);
  add([9, '$INSUNITS'], [70, 6], [9, '$HANDSEED'], [5, 'FFFF'], [0, 'ENDSEC']);

  const layers = ['0', ...drawing.layers.filter((name) => name !== '0')];
  add([0, 'SECTION'], [2, 'TABLES'], [0, 'TABLE'], [2, 'LAYER'], [5, nextHandle()], [100, 'AcDbSymbolTable'], [70, layers.length]);
  for (const name of layers) {
    add([0, 'LAYER'], [5, nextHandle()], [100, 'AcDbSymbolTableRecord'], [100, 'AcDbLayerTableRecord']);
    add([2, name], [70, 0], [62, 7], [6, 'CONTINUOUS']);
  }
  add([0, 'ENDTAB'], [0, 'ENDSEC'], [0, 'SECTION'], [2, 'ENTITIES']);

  for (const polyline of drawing.polylines) {
    add([0, 'LWPOLYLINE'], [5, nextHandle()], [100, 'AcDbEntity'], [8, polyline.layer], [100, 'AcDbPolyline']);
    add([90, polyline.points.length], [70, polyline.closed === false ? 0 : 1], [43, 0]);
    polyline.points.forEach(([x, y], i) => {
      add([10, x], [20, y]);
      if (polyline.bulges?.[i]) add([42, polyline.bulges[i]]);
    });
  }
  for (const label of drawing.labels) {
    const [x, y] = label.at;
    if (label.mtext) {
      add([0, 'MTEXT'], [5, nextHandle()], [100, 'AcDbEntity'], [8, label.layer], [100, 'AcDbMText']);
      add([10, x], [20, y], [30, 0], [40, 2.5], [41, 40], [71, 1], [72, 1], [1, label.text]);
    } else {
      add([0, 'TEXT'], [5, nextHandle()], [100, 'AcDbEntity'], [8, label.layer], [100, 'AcDbText']);
      add([10, x], [20, y], [30, 0], [40, 2.5], [1, label.text], [100, 'AcDbText']);
    }
  }
  add([0, 'ENDSEC'], [0, 'EOF']);

  const text = pairs.map(([code, value]) => `${String(code).padStart(3)}\r\n${value}`).join('\r\n') + '\r\n';
  return version >= 'AC1021' || codePage !== 'ANSI_936' ? new TextEncoder().encode(text) : encodeGbk(text);
}

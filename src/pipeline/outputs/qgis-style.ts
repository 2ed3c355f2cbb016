/**
 * The QGIS style of `suspects.geojson`: `suspects.qml` beside it, which QGIS applies when it opens
 * the layer. A rule-based renderer colours each suspect by its `violation`, one rule per violation
 * type, labelled in Chinese from the pages' table (the one the exports use).
 */
import { vocabulary } from '../../../web/shared/vocabulary.js';
import { VIOLATIONS, type Violation } from '../../vocabulary.js';

/** Outline colour (RGB) of each violation; the fill is the same, mostly transparent. */
const violationColours: Readonly<Record<Violation, [number, number, number]>> = {
  no_permit: [215, 25, 28],
  outside_permitted_footprint: [253, 174, 97],
  exceeds_permitted_height: [123, 50, 148],
  permit_expired: [43, 131, 186],
  none: [153, 153, 153],
};

/** The QML document of the suspects layer. */
export function suspectsStyle(): string {
  const labels = vocabulary['zh-CN'];
  const rules = VIOLATIONS.map(
    (violation, i) =>
      `      <rule key="{violation-${violation}}" symbol="${i}" label="${attribute(labels[`violation.${violation}`])}" filter="${attribute(`"violation" = '${violation}'`)}"/>`,
  );
  const symbols = VIOLATIONS.map((violation, i) => fillSymbol(String(i), violationColours[violation]));
  return [
    `<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>`,
    `<qgis version="3.28.0" styleCategories="Symbology">`,
    `  <renderer-v2 type="RuleRenderer" forceraster="0" symbollevels="0" enableorderby="0" referencescale="-1">`,
    `    <rules key="{violations}">`,
    ...rules,
    `    </rules>`,
    `    <symbols>`,
    ...symbols,
    `    </symbols>`,
    `  </renderer-v2>`,
    `</qgis>`,
    '',
  ].join('\n');
}

/**
 * A polygon symbol: outline in the colour, fill in the colour at a third opacity. Its properties
 * are written both ways QGIS 3 reads them (`Option` since 3.26, `prop` before), as QGIS itself does.
 */
function fillSymbol(name: string, [r, g, b]: [number, number, number]): string {
  const properties: [string, string][] = [
    ['color', `${r},${g},${b},85`],
    ['joinstyle', 'miter'],
    ['outline_color', `${r},${g},${b},255`],
    ['outline_style', 'solid'],
    ['outline_width', '0.6'],
    ['outline_width_unit', 'MM'],
    ['style', 'solid'],
  ];
  return [
    `      <symbol type="fill" name="${name}" alpha="1" clip_to_extent="1" force_rhr="0">`,
    `        <layer class="SimpleFill" enabled="1" locked="0" pass="0">`,
    `          <Option type="Map">`,
    ...properties.map(([key, value]) => `            <Option name="${key}" type="QString" value="${value}"/>`),
    `          </Option>`,
    ...properties.map(([key, value]) => `          <prop k="${key}" v="${value}"/>`),
    `        </layer>`,
    `      </symbol>`,
  ].join('\n');
}

/** Text escaped for an XML attribute in double quotes. */
function attribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

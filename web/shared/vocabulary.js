// @ts-check
/**
 * The one table of the domain's words in zh-CN and English: case states, violations, change
 * kinds, permit kinds, case event kinds, evidence kinds, the overlay's decisions, and the building
 * register's legality and roof forms. The pages read it through i18n.js; the exports
 * (src/export/labels.ts) import it too, so a page and an export never name a thing two ways. Keys
 * are those of i18n.js; `{name}` marks a value.
 */

/** @type {Readonly<Record<'zh-CN' | 'en', Readonly<Record<string, string>>>>} */
export const vocabulary = Object.freeze({
  'zh-CN': Object.freeze({
    'state.detected': '已发现', 'state.triaged': '已研判', 'state.dispatched': '已派发', 'state.verified_illegal': '核实违法',
    'state.verified_legal': '核实合法', 'state.false_positive': '误报', 'state.disposing': '处置中', 'state.reinspected': '已复查',
    'state.closed': '已办结', 'state.dismissed': '已排除',
    'violation.no_permit': '无证建设', 'violation.outside_permitted_footprint': '超出许可范围', 'violation.exceeds_permitted_height': '超出许可高度',
    'violation.permit_expired': '许可已过期', 'violation.none': '无违法',
    'kind.new_building': '新建建筑', 'kind.extension': '扩建', 'kind.rooftop_addition': '屋顶加建', 'kind.height_increase': '加层增高',
    'kind.demolition': '拆除', 'kind.ground_structure': '地面构筑物',
    'permit_kind.new_building': '新建建筑', 'permit_kind.existing_building': '既有建筑', 'permit_kind.extension': '扩建',
    'permit_kind.additional_floors': '加建楼层',
    'case_event.detected': '发现', 'case_event.redetected': '再次发现', 'case_event.reopened': '重新立案', 'case_event.reinspection_evidence': '附复查证据',
    'case_event.triaged': '研判', 'case_event.dismissed': '排除', 'case_event.dispatched': '派发', 'case_event.verified_illegal': '核实违法',
    'case_event.verified_legal': '核实合法', 'case_event.false_positive': '认定误报', 'case_event.disposing': '开始处置', 'case_event.reinspected': '复查',
    'case_event.closed': '办结',
    'evidence_kind.detection': '检测', 'evidence_kind.reinspection': '复查', 'evidence_kind.photo': '现场照片',
    'legality.legal': '合法', 'legality.suspect': '疑似违法', 'roof_form.flat': '平顶', 'roof_form.pitched': '坡顶',
    'decision.demolition': '拆除：作为复查证据，不另立案',
    'decision.exempt_zone': '位于豁免区 {zone}',
    'decision.below_min_area': '小于该区最小面积 {area} 平方米',
    'decision.below_min_height': '高度变化小于该区最小值 {height} 米',
    'decision.permit_expired': '许可 {permit} 已于 {date} 过期',
    'decision.permit_not_yet_valid': '许可 {permit} 自 {date} 起才生效，航飞日期无有效许可',
    'decision.no_plan': '无覆盖此处的有效规划许可',
    'decision.outside_footprint': '{share}% 超出许可 {permit} 的用地范围',
    'decision.exceeds_height': '高 {height} 米，许可 {permit} 允许 {allowed} 米',
    'decision.exceeds_floors': '{floors} 层，许可 {permit} 允许 {allowed} 层',
    'decision.within_no_height_limit': '在许可 {permit} 范围内（未规定限高）',
    'decision.within_height_not_measured': '在许可 {permit} 范围内（未测得高度）',
    'decision.within': '在许可 {permit} 范围内：高 {height} 米，允许 {allowed} 米（容差 +{tolerance} 米）',
    'decision.within_floors': '在许可 {permit} 范围内：{floors} 层，允许 {allowed} 层',
    'decision.part_of_building': '位于建筑 {building} 屋顶，该建筑本身为疑似违建：并入其案件',
  }),
  en: Object.freeze({
    'state.detected': 'Detected', 'state.triaged': 'Triaged', 'state.dispatched': 'Dispatched', 'state.verified_illegal': 'Verified illegal',
    'state.verified_legal': 'Verified legal', 'state.false_positive': 'False positive', 'state.disposing': 'Disposing', 'state.reinspected': 'Re-inspected',
    'state.closed': 'Closed', 'state.dismissed': 'Dismissed',
    'violation.no_permit': 'No permit', 'violation.outside_permitted_footprint': 'Outside permitted footprint',
    'violation.exceeds_permitted_height': 'Exceeds permitted height', 'violation.permit_expired': 'Permit expired', 'violation.none': 'None',
    'kind.new_building': 'New building', 'kind.extension': 'Extension', 'kind.rooftop_addition': 'Rooftop addition',
    'kind.height_increase': 'Height increase', 'kind.demolition': 'Demolition', 'kind.ground_structure': 'Ground structure',
    'permit_kind.new_building': 'New building', 'permit_kind.existing_building': 'Existing building', 'permit_kind.extension': 'Extension',
    'permit_kind.additional_floors': 'Additional floors',
    'case_event.detected': 'Detected', 'case_event.redetected': 'Detected again', 'case_event.reopened': 'Reopened', 'case_event.reinspection_evidence': 'Re-inspection evidence',
    'case_event.triaged': 'Triaged', 'case_event.dismissed': 'Dismissed', 'case_event.dispatched': 'Dispatched', 'case_event.verified_illegal': 'Verified illegal',
    'case_event.verified_legal': 'Verified legal', 'case_event.false_positive': 'Marked false positive', 'case_event.disposing': 'Disposal started', 'case_event.reinspected': 'Re-inspected',
    'case_event.closed': 'Closed',
    'evidence_kind.detection': 'detection', 'evidence_kind.reinspection': 're-inspection', 'evidence_kind.photo': 'photo',
    'legality.legal': 'Legal', 'legality.suspect': 'Suspect', 'roof_form.flat': 'Flat', 'roof_form.pitched': 'Pitched',
    'decision.demolition': 'demolition: evidence for re-inspection, not a new case',
    'decision.exempt_zone': 'in exempt zone {zone}',
    'decision.below_min_area': 'smaller than the zone minimum of {area} m²',
    'decision.below_min_height': 'height change under the zone minimum of {height} m',
    'decision.permit_expired': 'permit {permit} expired on {date}',
    'decision.permit_not_yet_valid': 'permit {permit} is valid only from {date}: no valid permit on the flight date',
    'decision.no_plan': 'no valid plan covers it',
    'decision.outside_footprint': '{share}% outside the permitted footprint (permit {permit})',
    'decision.exceeds_height': '{height} m high, permit {permit} allows {allowed} m',
    'decision.exceeds_floors': '{floors} floors, permit {permit} allows {allowed} floors',
    'decision.within_no_height_limit': 'within permit {permit} (no height limit given)',
    'decision.within_height_not_measured': 'within permit {permit} (height not measured)',
    'decision.within': 'within permit {permit}: {height} m high, {allowed} m allowed (+{tolerance} m tolerance)',
    'decision.within_floors': 'within permit {permit}: {floors} floors, {allowed} floors allowed',
    'decision.part_of_building': 'on building {building}, itself a suspect: part of its case',
  }),
});


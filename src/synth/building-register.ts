/**
 * The plan register of the standing buildings (存量建筑), and whether each building is legal
 * against it. A building a change made or altered is judged as the change is (truth.geojson);
 * the others mostly have an `existing_building` plan that permits them as built, rooftop stair
 * rooms and tanks included, and a share do not: no plan at all (`no_permit`), a plan for fewer
 * floors (`exceeds_permitted_height`), a plan for a smaller footprint
 * (`outside_permitted_footprint`), or an old steel shed on the roof that no plan permits
 * (`exceeds_permitted_height`, as truth.geojson calls a rooftop shed). These plans go to
 * building-plans.geojson, beside the changes' plans.geojson (whose plans stay as they are, so the
 * change truth keeps its violations); judge a survey against both.
 *
 * Draws from a random stream of its own, so that the rest of the scene does not depend on it.
 */
import polygonClipping, { type MultiPolygon, type Polygon } from 'polygon-clipping';
import { boundsOverlap, polygonArea, ringsBounds, type Ring } from './geometry.js';
import type { Random } from './random.js';
import type { StandingBuilding } from './standing-buildings.js';
import { parapet } from './surface.js';
import type { ApprovedPlan, Scene, Violation } from './types.js';

/** A standing building and its legality against plans.geojson and building-plans.geojson. */
export interface RegisteredBuilding extends StandingBuilding {
  /** `B0001`…, in the order of the scene's objects. */
  readonly id: string;
  readonly legal: boolean;
  readonly violation: Violation;
  /** The plan it was built to (the newest covering it), or the lapsed one it cites, or null. */
  readonly permitNo: string | null;
  /** The change (truth.geojson id) that built or altered it, if any. */
  readonly changeId: string | null;
  readonly note: string;
}

/** Shares of the standing buildings no change touched that break their plans, by how. */
const shares = { noPermit: 0.05, extraFloors: 0.04, outsideFootprint: 0.04 };
/** A permitted height allows this much above the highest thing permitted (m). */
const heightMargin = 0.5;
/** Plans cited from plans.geojson: one at least this share inside the building belongs to it. */
const planShare = 0.5;

/** Judges the standing buildings; returns them with their verdicts and the plans added for them. */
export function registerBuildings(
  scene: Pick<Scene, 'changes' | 'plans' | 'zones' | 'flights'>,
  buildings: readonly StandingBuilding[],
  rng: Random,
): { buildings: RegisteredBuilding[]; plans: ApprovedPlan[] } {
  const plans: ApprovedPlan[] = [];
  const afterDay = Date.parse(scene.flights.after.date.slice(0, 10)) / 86400000;
  let sequence = scene.plans.length;
  const addPlan = (rings: Ring[], permittedHeight: number, permittedFloors: number, fromDay: number): ApprovedPlan => {
    const validFrom = isoDay(fromDay);
    sequence += 1;
    const plan: ApprovedPlan = {
      permitNo: `建字第330110${validFrom.slice(0, 4)}${String(sequence).padStart(5, '0')}号`,
      kind: 'existing_building',
      permittedHeight: Math.ceil(permittedHeight * 10) / 10,
      permittedFloors,
      validFrom,
      validTo: null,
      rings,
    };
    plans.push(plan);
    return plan;
  };
  const registered = buildings.map((building, index): RegisteredBuilding => {
    const id = `B${String(index + 1).padStart(4, '0')}`;
    const outline = largest(building.polygons);
    const sheds = building.rooftop.filter((r) => r.structure.use === 'shed' || r.structure.use === 'house');
    const shed = sheds.length > 0;
    const shedTop = Math.max(0, ...sheds.map((r) => r.structure.base + r.structure.height + r.structure.rise));
    const permittedTop = topPermitted(building);
    const exempt = exemptZone(scene, building);
    if (exempt) return { ...building, id, legal: true, violation: 'none', permitNo: null, changeId: null, note: `inside exempt zone ${exempt}` };
    const change = changeOf(scene, building);
    const cited = scene.plans.filter((p) => shareInside(building, p.rings) >= planShare).sort((a, b) => b.validFrom.localeCompare(a.validFrom));
    if (change && change.violation !== 'none') {
      return { ...building, id, legal: false, violation: change.violation, permitNo: change.permitNo, changeId: change.id, note: change.note };
    }
    if (cited.length > 0) {
      // A plan of plans.geojson: the building keeps it, and a rooftop shed above it stays unpermitted.
      const allowed = Math.max(...cited.map((p) => p.permittedHeight));
      if (shedTop > allowed + heightMargin) {
        return { ...building, id, legal: false, violation: 'exceeds_permitted_height', permitNo: cited[0].permitNo, changeId: change?.id ?? null, note: 'steel shed on the roof that no plan permits' };
      }
      // Stair rooms and tanks above what the plan says: an amendment of it permits them.
      const plan =
        permittedTop > allowed + heightMargin
          ? addPlan(outline, permittedTop + heightMargin, building.floors, Math.min(afterDay - 30, Date.parse(cited[0].validFrom) / 86400000 + rng.int(200, 1500)))
          : cited[0];
      return { ...building, id, legal: true, violation: 'none', permitNo: plan.permitNo, changeId: change?.id ?? null, note: change?.note ?? 'as permitted' };
    }
    const builtDay = afterDay - rng.int(4 * 365, 20 * 365);
    const draw = rng.next();
    if (draw < shares.noPermit) return { ...building, id, legal: false, violation: 'no_permit', permitNo: null, changeId: null, note: 'no plan' };
    const roofTop = building.eavesHeightM + roofAllowance(building);
    const band = draw < shares.noPermit + shares.extraFloors ? 'floors' : draw < shares.noPermit + shares.extraFloors + shares.outsideFootprint ? 'footprint' : null;
    if (band === 'floors' && building.floors >= 2 && building.roofForm === 'flat') {
      const fewer = building.floors >= 5 && rng.chance(0.3) ? 2 : 1;
      const storey = building.eavesHeightM / building.floors;
      const plan = addPlan(outline, roofTop - fewer * storey + heightMargin, building.floors - fewer, builtDay);
      return { ...building, id, legal: false, violation: 'exceeds_permitted_height', permitNo: plan.permitNo, changeId: null, note: `permit for ${plural(building.floors - fewer, 'floor')}, ${building.floors} built` };
    }
    const smaller = band === 'footprint' ? cutOutline(outline, rng) : null;
    if (smaller) {
      const plan = addPlan(smaller.rings, permittedTop + heightMargin, building.floors, builtDay);
      return { ...building, id, legal: false, violation: 'outside_permitted_footprint', permitNo: plan.permitNo, changeId: null, note: `built ${Math.round(100 * (1 - smaller.share))}% outside its plan` };
    }
    if (shed) {
      const plan = addPlan(outline, roofTop + heightMargin, building.floors, builtDay);
      return { ...building, id, legal: false, violation: 'exceeds_permitted_height', permitNo: plan.permitNo, changeId: null, note: 'steel shed on the roof that no plan permits' };
    }
    const plan = addPlan(outline, permittedTop + heightMargin, building.floors, builtDay);
    return { ...building, id, legal: true, violation: 'none', permitNo: plan.permitNo, changeId: null, note: 'as permitted' };
  });
  return { buildings: registered, plans };
}

/** The top of the building and of the stair rooms and tanks on it (what its plan permits). */
function topPermitted(building: StandingBuilding): number {
  const fixtures = building.rooftop.filter((r) => r.structure.use === 'stair_room' || r.structure.use === 'water_tank');
  return Math.max(building.roofHeightMaxM, ...fixtures.map((r) => r.structure.base + r.structure.height + r.structure.rise));
}

/** The height of a flat roof's parapet, or a pitched roof's rise, above the eaves. */
function roofAllowance(building: StandingBuilding): number {
  return Math.max(0, ...building.structures.map((s) => (s.parapet ? parapet.height : s.base + s.height + s.rise - building.eavesHeightM)));
}

/** The change whose footprint lies mostly on the building (demolitions left nothing standing). */
function changeOf(scene: Pick<Scene, 'changes'>, building: StandingBuilding) {
  return scene.changes.find((c) => c.changeKind !== 'demolition' && shareOf(c.rings, building.polygons) >= 0.5) ?? null;
}

/** The exempt zone holding at least half of the building where the after rasters show it, as the overlay judges. */
function exemptZone(scene: Pick<Scene, 'zones' | 'flights'>, building: StandingBuilding): string | null {
  const [sx, sy] = scene.flights.after.shift;
  const seen = building.polygons.map((p) => p.map((ring) => ring.map(([x, y]): [number, number] => [x + sx, y + sy])));
  const zone = scene.zones.find((z) => z.kind === 'exempt' && seen.reduce((sum, p) => sum + shareOf(p, [z.rings]) * polygonArea(p), 0) >= 0.5 * building.areaM2);
  return zone?.zoneId ?? null;
}

/** Share of the building inside a plan. */
function shareInside(building: StandingBuilding, rings: Ring[]): number {
  return building.polygons.reduce((sum, p) => sum + shareOf(p, [rings]) * polygonArea(p), 0) / building.areaM2;
}

/** Share of polygon `rings` inside `within`. */
function shareOf(rings: readonly Ring[], within: readonly (readonly Ring[])[]): number {
  const area = polygonArea(rings);
  const near = within.filter((p) => boundsOverlap(ringsBounds(p), ringsBounds(rings)));
  if (area <= 0 || near.length === 0) return 0;
  const shared = polygonClipping.intersection(rings as Polygon, near as MultiPolygon);
  return shared.reduce((sum, p) => sum + polygonArea(p as Ring[]), 0) / area;
}

/**
 * A plan for part of a rectangular footprint: cut across its longer side so that, once the
 * overlay widens the plan by its 1 m tolerance, 60-70 % of the building lies within it (it
 * belongs to the plan, but more than 20 % is outside), still so when the flight's misregistration
 * (up to 0.8 m) moves the building. Null for other shapes or short buildings.
 */
function cutOutline(rings: Ring[], rng: Random): { rings: Ring[]; share: number } | null {
  const ring = rings[0];
  if (rings.length !== 1 || ring.length !== 4) return null;
  const [a, b, c, d] = ring;
  const [p0, p1, p2, p3] = Math.hypot(b[0] - a[0], b[1] - a[1]) >= Math.hypot(c[0] - b[0], c[1] - b[1]) ? [a, b, c, d] : [b, c, d, a];
  const length = Math.hypot(p1[0] - p0[0], p1[1] - p0[1]);
  const keep = (rng.range(0.6, 0.7) * length - 1) / length;
  if (keep * length < 2.5) return null;
  const at = (from: [number, number], to: [number, number]): [number, number] => [from[0] + (to[0] - from[0]) * keep, from[1] + (to[1] - from[1]) * keep];
  return { rings: [[p0, at(p0, p1), at(p3, p2), p3]], share: keep };
}

function largest(polygons: readonly Ring[][]): Ring[] {
  return polygons.reduce((a, b) => (polygonArea(b) > polygonArea(a) ? b : a));
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function isoDay(day: number): string {
  return new Date(Math.round(day) * 86400000).toISOString().slice(0, 10);
}

/**
 * What happens between the two flights: picks plots and applies change recipes, and writes the
 * approved plans that decide whether each change is a violation (judged on the second flight's date).
 */
import type { Parcel, SceneBuilder } from './builder.js';
import {
  addFloors,
  addGroundStructure,
  addRooftopShed,
  buildOnPlot,
  clearSite,
  demolish,
  extendIntoYard,
  pitchOverRoof,
  type ChangeFootprint,
} from './change-recipes.js';
import { startConstruction, type ConstructionStage } from './change-stages.js';
import { addSteelShed } from './change-sheds.js';
import { boxesExtent, boxFootprint, footprintRings, frameBounds } from './geometry.js';
import { floorHeight } from './layout-house.js';
import type { Obstacles } from './layout-vehicles.js';
import { BucketIndex } from './spatial.js';
import type { ApprovedPlan, ChangeKind, Epoch, FlightConditions, PlanKind, SceneChange, SceneObject, Structure, Violation } from './types.js';

/** The changes made and the plans that go with them. */
export interface ChangeSet {
  changes: SceneChange[];
  plans: ApprovedPlan[];
}

interface Recipe {
  kind: ChangeKind;
  weight: number;
  fits(parcel: Parcel): boolean;
  apply(b: SceneBuilder, parcel: Parcel, permits: Permits, obstacles: Obstacles): { footprint: ChangeFootprint; violation: Violation; permitNo: string | null; note: string } | null;
}

/**
 * Applies changes to about 3.5 plots per hectare (at least 9, one of each recipe first), or none
 * when `wanted` is false (plans are still written); keeps vehicles in `obstacles` off them.
 */
export function applyChanges(b: SceneBuilder, flights: Record<Epoch, FlightConditions>, obstacles: Obstacles, wanted = true): ChangeSet {
  const movable = new BucketIndex<SceneObject>(b.extent, 32);
  for (const o of b.objects) if (o.kind === 'tree' || o.kind === 'car') movable.insert(o);
  const candidates = shuffle(b, b.parcels.filter((p) => b.insideScene(frameBounds(p.frame, [[-p.width / 2, -p.depth / 2, p.width / 2, p.depth / 2]]), 3)));
  const permits = new Permits(b, flights);
  const changes: SceneChange[] = [];
  const count = wanted ? Math.max(9, Math.round((b.extent * b.extent * 3.5) / 10000)) : 0;
  const order = shuffle(b, [...recipes]);
  for (let i = 0; i < count * 2 && changes.length < count; i++) {
    const recipe = i < order.length ? order[i] : b.rng.weighted(recipes.map((r): [Recipe, number] => [r, r.weight]));
    const result = applyOnce(b, recipe, candidates, permits, obstacles);
    if (!result) continue;
    for (const s of result.footprint.built) clearSite(movable, s.bounds);
    if (recipe.kind === 'demolition') clearSite(movable, frameBounds(result.footprint.frame, result.footprint.footprint.boxes));
    const rings = footprintRings(result.footprint.frame, result.footprint.footprint);
    obstacles.avoid(rings);
    changes.push({ id: `C${String(changes.length + 1).padStart(4, '0')}`, changeKind: recipe.kind, violation: result.violation, permitNo: result.permitNo, note: result.note, rings });
  }
  permits.registerUnchanged(candidates.filter((p) => !p.used));
  return { changes, plans: permits.plans };
}

/** Applies a recipe to the first plots it fits, trying up to five before giving up. */
function applyOnce(b: SceneBuilder, recipe: Recipe, candidates: Parcel[], permits: Permits, obstacles: Obstacles) {
  for (let tries = 0; tries < 5; tries++) {
    const parcel = candidates.find((p) => !p.used && recipe.fits(p));
    if (!parcel) return null;
    parcel.used = true;
    const result = recipe.apply(b, parcel, permits, obstacles);
    if (result) return result;
  }
  return null;
}

const vacant = (p: Parcel) => p.house === null;
const flatHouse = (p: Parcel) => p.house !== null && p.house.roof === 'flat';

const newBuilding = (mode: 'permitted' | 'none' | 'expired' | 'not_yet_valid', weight: number): Recipe => ({
  kind: 'new_building',
  weight,
  fits: vacant,
  apply(b, parcel, permits) {
    const footprint = buildOnPlot(b, parcel, mode !== 'permitted', mode === 'permitted' ? b.rng.int(2, 4) : undefined);
    if (!footprint) return null;
    if (mode === 'none') return { footprint, violation: 'no_permit', permitNo: null, note: 'built without a planning permit' };
    const plan = permits.newBuildingPlan(footprint, mode);
    if (mode === 'permitted') return { footprint, violation: 'none', permitNo: plan.permitNo, note: 'built as permitted' };
    if (mode === 'expired') return { footprint, violation: 'permit_expired', permitNo: plan.permitNo, note: `permit expired on ${plan.validTo}, before construction` };
    return { footprint, violation: 'no_permit', permitNo: plan.permitNo, note: `permit only valid from ${plan.validFrom}` };
  },
});

/** A new building caught part-way: bare soil, a foundation slab or a column frame. */
const underConstruction = (weight: number): Recipe => ({
  kind: 'new_building',
  weight,
  fits: vacant,
  apply(b, parcel, permits) {
    const stage = b.rng.weighted<ConstructionStage>([['soil', 1], ['slab', 1], ['frame', 1.3]]);
    const footprint = startConstruction(b, parcel, stage);
    if (!footprint) return null;
    const what = { soil: 'site cleared, materials piled', slab: 'foundation slab poured', frame: 'column frame standing' }[stage];
    if (b.rng.chance(0.5)) return { footprint, violation: 'no_permit', permitNo: null, note: `under construction (${what}) without a planning permit` };
    const plan = permits.newBuildingPlan(footprint, 'permitted', b.rng.int(2, 4) * floorHeight + 1.5);
    return { footprint, violation: 'none', permitNo: plan.permitNo, note: `under construction (${what}) as permitted` };
  },
});

const recipes: Recipe[] = [
  newBuilding('permitted', 1.2),
  newBuilding('none', 1.2),
  newBuilding('expired', 0.5),
  newBuilding('not_yet_valid', 0.3),
  underConstruction(1),
  {
    kind: 'extension',
    weight: 1.6,
    fits: (p) => p.house !== null && p.yard !== null,
    apply(b, parcel, permits) {
      const footprint = extendIntoYard(b, parcel);
      if (!footprint || !parcel.house) return null;
      const existing = permits.existingPlan(parcel.house);
      if (b.rng.chance(0.2)) {
        const plan = permits.extensionPlan(footprint, existing.permittedHeight);
        return { footprint, violation: 'none', permitNo: plan.permitNo, note: 'extension as permitted' };
      }
      return { footprint, violation: 'outside_permitted_footprint', permitNo: existing.permitNo, note: 'built outside the permitted footprint' };
    },
  },
  {
    kind: 'rooftop_addition',
    weight: 3,
    fits: flatHouse,
    apply(b, parcel, permits) {
      const what = b.rng.weighted<'small' | 'shed' | 'pitched'>([['small', 25], ['shed', 55], ['pitched', 20]]);
      const footprint = what === 'pitched' ? pitchOverRoof(b, parcel) : addRooftopShed(b, parcel, what === 'small');
      if (!footprint || !parcel.house) return null;
      const plan = permits.existingPlan(parcel.house);
      const note = { small: 'small rooftop structure', shed: 'rooftop shed above the permitted height', pitched: 'pitched roof built over the flat roof' }[what];
      return { footprint, violation: 'exceeds_permitted_height', permitNo: plan.permitNo, note };
    },
  },
  {
    kind: 'height_increase',
    weight: 1.2,
    fits: (p) => flatHouse(p) && (p.house?.height ?? 99) < 17,
    apply(b, parcel, permits) {
      const house = parcel.house as Structure;
      const floors = b.rng.chance(0.7) ? 1 : 2;
      const footprint = addFloors(b, parcel, floors);
      if (!footprint) return null;
      if (b.rng.chance(0.15)) {
        const plan = permits.floorsPlan(house, footprint);
        return { footprint, violation: 'none', permitNo: plan.permitNo, note: `${floors} floor(s) added as permitted` };
      }
      const plan = permits.existingPlan(house);
      return { footprint, violation: 'exceeds_permitted_height', permitNo: plan.permitNo, note: `${floors} floor(s) added above the permitted height` };
    },
  },
  {
    kind: 'demolition',
    weight: 1,
    fits: (p) => p.house !== null,
    apply(b, parcel) {
      const footprint = demolish(b, parcel);
      return footprint ? { footprint, violation: 'none', permitNo: null, note: 'demolished' } : null;
    },
  },
  {
    kind: 'ground_structure',
    weight: 2.2,
    fits: (p) => p.house === null || p.yard !== null,
    apply(b, parcel, _permits, obstacles) {
      const footprint = addSteelShed(b, parcel, obstacles);
      return footprint ? { footprint, violation: 'no_permit', permitNo: null, note: 'prefab steel shed without a permit' } : null;
    },
  },
  {
    kind: 'ground_structure',
    weight: 1,
    fits: (p) => p.house === null || p.yard !== null,
    apply(b, parcel) {
      const small = b.rng.chance(0.25);
      const footprint = addGroundStructure(b, parcel, small);
      return footprint ? { footprint, violation: 'no_permit', permitNo: null, note: small ? 'small ground structure' : 'shed or enclosure without a permit' } : null;
    },
  },
];

/** Issues permit numbers and records the approved plans. */
class Permits {
  readonly plans: ApprovedPlan[] = [];
  private readonly registered = new Map<number, ApprovedPlan>();
  private sequence = 0;
  private readonly beforeDay: number;
  private readonly afterDay: number;

  constructor(
    private readonly b: SceneBuilder,
    flights: Record<Epoch, FlightConditions>,
  ) {
    this.beforeDay = Date.parse(flights.before.date.slice(0, 10)) / 86400000;
    this.afterDay = Date.parse(flights.after.date.slice(0, 10)) / 86400000;
  }

  /** A permit for a new building on `footprint`, valid, expired or not yet valid on the second flight (`height`: permitted, if not the building's). */
  newBuildingPlan(footprint: ChangeFootprint, mode: 'permitted' | 'expired' | 'not_yet_valid', height?: number): ApprovedPlan {
    const rng = this.b.rng;
    const from = mode === 'expired' ? this.beforeDay - rng.int(600, 900) : mode === 'permitted' ? this.afterDay - rng.int(60, 330) : this.afterDay + rng.int(20, 90);
    const to = mode === 'expired' ? this.beforeDay - rng.int(30, 200) : from + rng.int(540, 1100);
    return this.add('new_building', footprint, rng.range(1.0, 1.5), height ?? topOf(footprint.built) + rng.range(0.5, 2.5), from, to);
  }

  /** A permit for an extension (its own footprint, the house's permitted height). */
  extensionPlan(footprint: ChangeFootprint, permittedHeight: number): ApprovedPlan {
    return this.add('extension', footprint, 0.8, permittedHeight, this.afterDay - this.b.rng.int(60, 300), null);
  }

  /** A permit for extra floors over a house. */
  floorsPlan(house: Structure, footprint: ChangeFootprint): ApprovedPlan {
    return this.add('additional_floors', { ...footprint, frame: house.frame }, 0.3, topOf(footprint.built) + 0.5, this.afterDay - this.b.rng.int(60, 300), null);
  }

  /** The plan a standing house was built to (one per house, created on first use). */
  existingPlan(house: Structure): ApprovedPlan {
    const known = this.registered.get(house.id);
    if (known) return known;
    const built = this.afterDay - this.b.rng.int(4 * 365, 20 * 365);
    const plan = this.add('existing_building', { frame: house.frame, footprint: house.footprint, built: [house] }, 0, house.height + (house.parapet ? 1 : 0) + 0.5, built, null);
    this.registered.set(house.id, plan);
    return plan;
  }

  /** Plans for a share of the unchanged houses, and permits for plots not built on yet. */
  registerUnchanged(parcels: Parcel[]): void {
    for (const parcel of parcels) {
      if (parcel.house && this.b.rng.chance(0.3)) this.existingPlan(parcel.house);
      else if (!parcel.house && this.b.rng.chance(0.15) && parcel.width > 7 && parcel.depth > 7) {
        const inner = boxFootprint([-parcel.width / 2 + 0.5, -parcel.depth / 2 + 0.5, parcel.width / 2 - 0.5, parcel.depth / 2 - 0.5]);
        this.add('new_building', { frame: parcel.frame, footprint: inner, built: [] }, 0, 3 * 3.1 + 1.5, this.afterDay - this.b.rng.int(10, 200), this.afterDay + 500);
      }
    }
  }

  private add(kind: PlanKind, footprint: ChangeFootprint, buffer: number, permittedHeight: number, fromDay: number, toDay: number | null): ApprovedPlan {
    const [u0, v0, u1, v1] = boxesExtent(footprint.footprint.boxes);
    const area = buffer > 0 ? boxFootprint([u0 - buffer, v0 - buffer, u1 + buffer, v1 + buffer]) : footprint.footprint;
    const validFrom = isoDay(fromDay);
    this.sequence += 1;
    const plan: ApprovedPlan = {
      permitNo: `建字第330110${validFrom.slice(0, 4)}${String(this.sequence).padStart(5, '0')}号`,
      kind,
      permittedHeight: Math.round(permittedHeight * 10) / 10,
      validFrom,
      validTo: toDay === null ? null : isoDay(toDay),
      rings: footprintRings(footprint.frame, area),
    };
    this.plans.push(plan);
    return plan;
  }
}

/** The highest top (above ground) of structures, parapets included. */
function topOf(structures: readonly Structure[]): number {
  return structures.reduce((top, s) => Math.max(top, s.base + s.height + s.rise + (s.parapet ? 1 : 0)), 0);
}

function isoDay(day: number): string {
  return new Date(Math.round(day) * 86400000).toISOString().slice(0, 10);
}

function shuffle<T>(b: SceneBuilder, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = b.rng.int(0, i);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

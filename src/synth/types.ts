/**
 * The scene model: everything the generator places (ground cover, roads, buildings, roof fixtures,
 * trees, cars), what changes between the two flights, and the plans, zones and grids that go with it.
 * Coordinates are scene metres: x east and y north from the south-west corner of the scene.
 */
import type { Bounds, Footprint, Frame, Ring } from './geometry.js';
import type { RegisteredBuilding } from './building-register.js';
import type { TerrainModel } from './terrain.js';

/** The two flights. */
export type Epoch = 'before' | 'after';

/** An RGB colour, 0-255 per channel. */
export type Rgb = readonly [number, number, number];

/** Which flights an object is seen on. */
export interface Presence {
  readonly before: boolean;
  readonly after: boolean;
}

/** Surfaces drawn flat on the ground. */
export type GroundMaterial =
  | 'asphalt'
  | 'concrete'
  | 'sidewalk'
  | 'soil'
  | 'grass'
  | 'lawn'
  | 'vegetables'
  | 'rubble'
  | 'construction'
  | 'greenhouse'
  | 'dustnet'
  | 'water';

/** Lane markings of a road, running along the patch's local u axis. */
export interface RoadMarkings {
  readonly centre: 'double_yellow' | 'dashed_white' | 'none';
  readonly laneWidth: number;
}

/** A flat patch of ground cover or pavement: a box in a frame. */
export interface GroundPatch {
  readonly kind: 'ground';
  readonly id: number;
  readonly layer: number;
  readonly material: GroundMaterial;
  readonly frame: Frame;
  readonly footprint: Footprint;
  /** Height above the terrain (kerbs), metres. */
  readonly raise: number;
  /** Per-object variation in [0, 1) for colour. */
  readonly tone: number;
  readonly markings?: RoadMarkings;
  presence: Presence;
  readonly bounds: Bounds;
}

/** What a structure is, for its look and for the change logic. */
export type StructureUse =
  | 'house'
  | 'apartment'
  | 'warehouse'
  | 'shed'
  | 'stair_room'
  | 'water_tank'
  | 'solar_heater'
  | 'wall'
  | 'hoarding'
  | 'clutter'
  | 'pole'
  | 'solar_panel'
  | 'foundation'
  | 'column'
  | 'beam';

/**
 * Roof surfaces: flat concrete, clay or cement tile, glazed tile, asphalt shingle, steel sheet,
 * photovoltaic panels, a fresh concrete slab, and the tops of tanks, solar heaters, walls, plants.
 */
export type RoofType = 'flat' | 'tile' | 'glazed' | 'asphalt' | 'steel' | 'pv' | 'slab' | 'tank' | 'solar' | 'wall' | 'plants';

/** Shape of a roof with a rise: two slopes meeting at a ridge, four slopes (hip), or one slope (mono). */
export type RoofPitch = 'gable' | 'hip' | 'mono';

/** Anything built: a prism over a footprint, topped by a roof. */
export interface Structure {
  readonly kind: 'structure';
  readonly id: number;
  readonly use: StructureUse;
  readonly frame: Frame;
  readonly footprint: Footprint;
  /** A vertical cylinder inscribed in the footprint's single box (water tanks). */
  readonly round: boolean;
  /** Terrain elevation the structure stands on, metres. */
  readonly groundZ: number;
  /** Height above the ground of its base (0, or the roof of the building it stands on). */
  readonly base: number;
  /** Height of the walls (eaves) above the base. */
  readonly height: number;
  /** Ridge rise above the eaves for pitched roofs (0 for flat roofs). */
  readonly rise: number;
  /** Storeys inside the walls, as built (1 for sheds, halls and roof fixtures). */
  readonly floors: number;
  /** Whether the ridge runs along the local u axis (else along v); a mono-pitch roof rises across it. */
  readonly ridgeAlongU: boolean;
  readonly pitch: RoofPitch;
  readonly roof: RoofType;
  readonly colour: Rgb;
  readonly tone: number;
  readonly parapet: boolean;
  presence: Presence;
  readonly bounds: Bounds;
}

/** A tree: a canopy dome on a trunk, growing between the flights. */
export interface Tree {
  readonly kind: 'tree';
  readonly id: number;
  readonly x: number;
  readonly y: number;
  readonly groundZ: number;
  /** Canopy radius before and after, metres. */
  readonly radius: readonly [number, number];
  /** Top height above ground before and after, metres. */
  readonly height: readonly [number, number];
  readonly colour: Rgb;
  /** Deciduous trees lose colour (and some leaves) in autumn and winter. */
  readonly evergreen: boolean;
  readonly tone: number;
  presence: Presence;
  readonly bounds: Bounds;
}

/** What a vehicle is: its shape on the DSM and its look from above. */
export type VehicleBody = 'car' | 'van' | 'truck' | 'two_wheeler';

/** A vehicle (car, van, truck, e-bike), parked or on the road; its front is at +u. */
export interface Car {
  readonly kind: 'car';
  readonly id: number;
  readonly body: VehicleBody;
  readonly frame: Frame;
  readonly length: number;
  readonly width: number;
  readonly height: number;
  readonly groundZ: number;
  readonly colour: Rgb;
  /** Colour of a truck's cargo box (its cab has `colour`). */
  readonly cargo: Rgb;
  presence: Presence;
  readonly bounds: Bounds;
}

/** Anything the renderer draws. */
export type SceneObject = GroundPatch | Structure | Tree | Car;

/** Change kinds (DESIGN.md section 3). */
export type ChangeKind =
  | 'new_building'
  | 'extension'
  | 'rooftop_addition'
  | 'height_increase'
  | 'demolition'
  | 'ground_structure';

/** Violation types (DESIGN.md section 3). */
export type Violation =
  | 'no_permit'
  | 'outside_permitted_footprint'
  | 'exceeds_permitted_height'
  | 'permit_expired'
  | 'none';

/** One real change between the flights, with the true footprint in scene metres (unshifted). */
export interface SceneChange {
  readonly id: string;
  readonly changeKind: ChangeKind;
  readonly violation: Violation;
  readonly permitNo: string | null;
  readonly note: string;
  readonly rings: Ring[];
}

/** Plan kinds in the approved-plans layer. */
export type PlanKind = 'new_building' | 'existing_building' | 'extension' | 'additional_floors';

/** An approved plan (规划许可). */
export interface ApprovedPlan {
  readonly permitNo: string;
  readonly kind: PlanKind;
  readonly permittedHeight: number;
  /** Permitted floors, where the plan gives them (the standing buildings' plans do). */
  readonly permittedFloors?: number;
  readonly validFrom: string;
  readonly validTo: string | null;
  readonly rings: Ring[];
}

/** A zone with its own thresholds and priority. */
export interface Zone {
  readonly zoneId: string;
  readonly kind: 'priority' | 'historic' | 'exempt';
  readonly priorityWeight: number;
  readonly name: string;
  readonly rings: Ring[];
}

/** A responsibility grid cell (网格). */
export interface Grid {
  readonly gridId: string;
  readonly street: string;
  readonly community: string;
  readonly officer: string;
  readonly rings: Ring[];
}

/** How one flight looked: date, sun, registration and DSM errors, colour balance. */
export interface FlightConditions {
  readonly date: string;
  readonly season: 'spring' | 'summer' | 'autumn' | 'winter';
  /** Degrees clockwise from north, and above the horizon. */
  readonly sunAzimuth: number;
  readonly sunElevation: number;
  /** Misregistration: the flight's rasters show scene point p at p + shift, metres. */
  readonly shift: readonly [number, number];
  /** Vertical DSM error: offset (m) plus tilt (m per m east and north, about the scene centre). */
  readonly dsmOffset: number;
  readonly dsmTilt: readonly [number, number];
  /** Per-channel gain (white balance), gamma and haze (added brightness, bluish) of the camera and processing. */
  readonly gain: Rgb;
  readonly gamma: number;
  readonly haze: number;
  /** Colour saturation (1 as seen). */
  readonly saturation: number;
  /** Lens and motion blur, 0 (sharp) to 1. */
  readonly blur: number;
  /** Sensor noise, grey levels (about one standard deviation). */
  readonly noise: number;
  /** Brightness steps between the photos of the mosaic, as a share (0.03 = up to ±1.5 %). */
  readonly seams: number;
  /** JPEG quality the photos were stored at (8x8 block artefacts), or null for none visible. */
  readonly jpegQuality: number | null;
}

/** The whole scene: settings, objects, changes and the vector layers. */
export interface Scene {
  readonly seed: number;
  readonly size: number;
  readonly gsd: number;
  readonly epsg: number;
  /** Easting and northing of the south-west corner. */
  readonly origin: readonly [number, number];
  /** Side of the square scene in metres. */
  readonly extent: number;
  readonly terrain: TerrainModel;
  readonly flights: Readonly<Record<Epoch, FlightConditions>>;
  /** Whether anything was built or demolished between the flights (false: only nuisances, no truth). */
  readonly withChanges: boolean;
  /** Objects in paint order. */
  readonly objects: readonly SceneObject[];
  readonly changes: readonly SceneChange[];
  readonly plans: readonly ApprovedPlan[];
  /** The buildings standing on the after flight, judged against `plans` and `buildingPlans`. */
  readonly buildings: readonly RegisteredBuilding[];
  /** The plan register of the standing buildings that `plans` leaves out (building-plans.geojson). */
  readonly buildingPlans: readonly ApprovedPlan[];
  readonly zones: readonly Zone[];
  readonly grids: readonly Grid[];
  /** The tallest object top above ground, metres (bounds shadow lengths). */
  readonly maxHeight: number;
}

/**
 * The plan overlay in PostGIS: one statement judges every candidate of a job against the plans
 * valid on the after flight's date, the zones and the grids, and writes the verdict into the
 * candidate row (violation, suspect, decision, permit, grid, zones, priority). The same statement
 * judges a detect's changes and a survey's standing buildings and rooftop structures. The rules and
 * their defaults are documented in `rules.ts`; the spatial joins use the
 * GiST indexes, so the cost grows with the candidates and the plans near them.
 */
import type { Knex } from 'knex';
import { builtAgainst, defaultOverlayRules, violationWeights, type OverlayRules } from './rules.js';
import { overlapArea } from '../../db/overlap.js';

/** The overlay's inputs besides the candidates already stored for the job. */
export interface OverlayContext {
  jobId: number;
  /** After flight date, YYYY-MM-DD: the plans valid on it count. */
  afterDate: string;
  /** Priority factor for how new the changes can be (`recencyFactor`). */
  recency: number;
  rules?: OverlayRules;
  /**
   * The candidates are a survey's standing buildings and the rooftop structures on them (by their
   * ids in the survey): a building built against another is judged as its extension
   * (`builtAgainst`), and a structure on a building in an exempt zone is exempt with it.
   */
  survey?: { structuresOn: { structure: string; building: string }[] };
}

/** Judges every candidate of the job; returns how many became suspects. */
export async function overlayCandidates(knex: Knex, context: OverlayContext): Promise<number> {
  const rules = context.rules ?? defaultOverlayRules;
  const weights = Object.entries(violationWeights)
    .map(([violation, weight]) => `WHEN '${violation}' THEN ${weight}`)
    .join(' ');
  const rule = (zoneKey: string, value: number) => `coalesce((zf.thresholds->>'${zoneKey}')::float8, ${Number(value)})`;
  const result = await knex.raw(
    `WITH c AS (
      SELECT id, geom, change_kind, height_change_m, height_after_m, floors, ST_Area(geom) AS area
      FROM candidates WHERE job_id = :jobId
    ),
    zone_hits AS (
      SELECT c.id, z.zone_id, z.kind, z.priority, z.thresholds,
        ${overlapArea('c.geom', 'z.geom')} / nullif(c.area, 0) AS share
      FROM c JOIN zones z ON ST_Intersects(c.geom, z.geom)
    ),
    zone_facts AS (
      SELECT id,
        array_agg(zone_id ORDER BY priority DESC, zone_id) AS zones,
        max(priority) FILTER (WHERE kind <> 'exempt') AS weight,
        (array_agg(zone_id ORDER BY share DESC) FILTER (WHERE kind = 'exempt' AND share >= 0.5))[1] AS exempt_zone,
        (array_agg(thresholds ORDER BY priority DESC) FILTER (WHERE thresholds <> '{}'::jsonb))[1] AS thresholds
      FROM zone_hits GROUP BY id
    ),
    -- a survey's rooftop structure stands on its building's site: in the exempt zone the building is in
    host_exempt AS (
      SELECT s.id, hz.exempt_zone
      FROM json_to_recordset(:structuresOn::json) AS p(structure text, building text)
      JOIN candidates s ON s.job_id = :jobId AND s.local_id = p.structure
      JOIN candidates b ON b.job_id = :jobId AND b.local_id = p.building
      JOIN zone_facts hz ON hz.id = b.id AND hz.exempt_zone IS NOT NULL
    ),
    grid_facts AS (
      SELECT DISTINCT ON (c.id) c.id, g.grid_id
      FROM c JOIN grids g ON ST_Intersects(c.geom, g.geom)
      ORDER BY c.id, ${overlapArea('c.geom', 'g.geom')} DESC, g.grid_id
    ),
    r AS (
      SELECT c.*, coalesce(zf.zones, '{}') AS zones, coalesce(zf.weight, 1) AS weight, coalesce(zf.exempt_zone, he.exempt_zone) AS exempt_zone,
        ${rule('footprint_tolerance_m', rules.footprintToleranceM)} AS tolerance,
        ${rule('max_outside_share', rules.maxOutsideShare)} AS max_outside,
        ${rule('height_tolerance_m', rules.heightToleranceM)} AS height_tolerance,
        ${rule('min_area_m2', rules.minAreaM2)} AS min_area,
        ${rule('min_height_change_m', rules.minHeightChangeM)} AS min_height
      FROM c LEFT JOIN zone_facts zf USING (id) LEFT JOIN host_exempt he USING (id)
    ),
    plan_hits AS (
      SELECT r.id, r.change_kind, p.id AS plan_id, p.permit_no, p.kind AS plan_kind, p.valid_from, p.valid_to, p.permitted_height_m, p.permitted_floors,
        CASE WHEN p.valid_from > :afterDate::date THEN 'future' WHEN p.valid_to < :afterDate::date THEN 'expired' ELSE 'valid' END AS status,
        coalesce(p.permitted_height_m, p.permitted_floors * ${Number(rules.floorHeightM)}) AS permitted_height,
        p.geom AS plan_geom,
        ${overlapArea('r.geom', 'ST_Buffer(p.geom, r.tolerance)')} / nullif(r.area, 0) AS share
      FROM r JOIN plans p ON ST_DWithin(r.geom, p.geom, r.tolerance)
    ),
    -- the valid plans widened together: buffering their collection unions them (ST_Union of the
    -- widened outlines returned an empty result, no error, for some outlines in PGlite's GEOS)
    permitted AS (
      SELECT h.id, ${overlapArea('r.geom', 'ST_Buffer(ST_Collect(h.plan_geom), r.tolerance)')} / nullif(r.area, 0) AS share
      FROM plan_hits h JOIN r USING (id) WHERE h.status = 'valid' GROUP BY h.id, r.geom, r.area, r.tolerance
    ),
    -- a survey's building not itself half inside a valid plan, built against one of the survey's
    -- buildings that stands in a valid plan (their walls shared for a good part of its outline) and
    -- small beside that plan, is an extension of that building and belongs to its plan (rules.ts)
    built_against AS (
      SELECT DISTINCT ON (r.id) r.id, hit.plan_id
      FROM r LEFT JOIN permitted pm USING (id)
      JOIN plan_hits hit ON hit.id = r.id AND hit.status = 'valid'
      JOIN plan_hits host_hit ON host_hit.plan_id = hit.plan_id AND host_hit.id <> r.id AND host_hit.change_kind = 'new_building'
        AND host_hit.share >= ${Number(rules.planShare)}
      JOIN c AS host ON host.id = host_hit.id
      -- the length of wall shared: the overlap of both outlines widened by half the gap, a strip that wide along it (widened
      -- outlines are valid, so GEOS intersects them in PGlite too; the outline's boundary against the widened other tripped it)
      CROSS JOIN LATERAL (SELECT ${overlapArea(`ST_Buffer(r.geom, ${Number(builtAgainst.wallGapM / 2)})`, `ST_Buffer(host.geom, ${Number(builtAgainst.wallGapM / 2)})`)}
        / ${Number(builtAgainst.wallGapM)} AS wall) w
      WHERE :survey AND r.change_kind = 'new_building' AND coalesce(pm.share, 0) < ${Number(rules.planShare)}
        AND r.area <= ${Number(builtAgainst.maxPlanAreaShare)} * ST_Area(hit.plan_geom)
        AND w.wall >= ${Number(builtAgainst.minWallShare)} * ST_Perimeter(r.geom)
      ORDER BY r.id, w.wall DESC, hit.plan_id
    ),
    governing AS (
      SELECT DISTINCT ON (h.id) h.id, h.permit_no, h.permitted_height, h.permitted_height_m, h.permitted_floors
      FROM plan_hits h LEFT JOIN built_against b USING (id) WHERE h.status = 'valid'
      ORDER BY h.id, (h.change_kind = 'rooftop_addition' AND h.plan_kind IN ('additional_floors', 'extension') AND h.share >= ${Number(rules.planShare)}) DESC,
        (h.plan_id = b.plan_id) IS TRUE DESC, round(h.share * 10) DESC, h.valid_from DESC NULLS LAST, h.permit_no
    ),
    lapsed AS (
      SELECT DISTINCT ON (id) id, permit_no, status, valid_from, valid_to
      FROM plan_hits WHERE status <> 'valid' AND share >= ${Number(rules.planShare)}
      ORDER BY id, (status = 'expired') DESC, share DESC, permit_no
    ),
    facts AS (
      SELECT r.*, coalesce(pm.share, 0) AS permit_share, g.permit_no AS governing_permit, g.permitted_height, g.permitted_floors,
        (r.floors IS NOT NULL AND g.permitted_floors IS NOT NULL AND g.permitted_height_m IS NULL) AS floors_only,
        l.permit_no AS lapsed_permit, l.status AS lapsed_status, l.valid_from AS lapsed_from, l.valid_to AS lapsed_to,
        (coalesce(pm.share, 0) >= ${Number(rules.planShare)} OR (r.change_kind = 'extension' AND coalesce(pm.share, 0) > 0) OR b.id IS NOT NULL) AS belongs
      FROM r LEFT JOIN permitted pm USING (id) LEFT JOIN governing g USING (id) LEFT JOIN lapsed l USING (id) LEFT JOIN built_against b USING (id)
    ),
    judged AS (
      SELECT f.*,
        CASE
          WHEN change_kind = 'demolition' OR exempt_zone IS NOT NULL THEN 'none'
          WHEN area < min_area OR abs(height_change_m) < min_height THEN 'none'
          WHEN NOT belongs THEN CASE WHEN lapsed_status = 'expired' THEN 'permit_expired' ELSE 'no_permit' END
          WHEN permit_share < 1 - max_outside AND change_kind NOT IN ('rooftop_addition', 'height_increase') THEN 'outside_permitted_footprint'
          WHEN floors_only AND floors > permitted_floors THEN 'exceeds_permitted_height'
          WHEN NOT floors_only AND height_after_m > permitted_height + height_tolerance THEN 'exceeds_permitted_height'
          ELSE 'none'
        END AS violation
      FROM facts f
    ),
    decided AS (
      SELECT j.id, j.violation, j.violation <> 'none' AS suspect, j.zones, gf.grid_id,
        CASE WHEN j.belongs THEN j.governing_permit ELSE j.lapsed_permit END AS permit_no,
        j.permit_share, CASE WHEN j.belongs THEN j.permitted_height END AS permitted_height,
        CASE
          WHEN j.change_kind = 'demolition' THEN 'demolition: evidence for re-inspection, not a new case'
          WHEN j.exempt_zone IS NOT NULL THEN format('in exempt zone %s', j.exempt_zone)
          WHEN j.area < j.min_area THEN format('smaller than the zone minimum of %s m²', j.min_area)
          WHEN abs(j.height_change_m) < j.min_height THEN format('height change under the zone minimum of %s m', j.min_height)
          WHEN j.violation = 'permit_expired' THEN format('permit %s expired on %s', j.lapsed_permit, j.lapsed_to)
          WHEN j.violation = 'no_permit' AND j.lapsed_status = 'future' THEN format('permit %s is valid only from %s', j.lapsed_permit, j.lapsed_from)
          WHEN j.violation = 'no_permit' THEN 'no valid plan covers it'
          WHEN j.violation = 'outside_permitted_footprint' THEN
            format('%s%% outside the permitted footprint (permit %s)', round(((1 - j.permit_share) * 100)::numeric), j.governing_permit)
          WHEN j.violation = 'exceeds_permitted_height' AND j.floors_only THEN
            format('%s floors, permit %s allows %s floors', j.floors, j.governing_permit, j.permitted_floors)
          WHEN j.violation = 'exceeds_permitted_height' THEN
            format('%s m high, permit %s allows %s m', round(j.height_after_m::numeric, 1), j.governing_permit, round(j.permitted_height::numeric, 1))
          WHEN j.permitted_height IS NULL THEN format('within permit %s (no height limit given)', j.governing_permit)
          WHEN j.floors_only THEN format('within permit %s: %s floors, %s floors allowed', j.governing_permit, j.floors, j.permitted_floors)
          WHEN j.height_after_m IS NULL THEN format('within permit %s (height not measured)', j.governing_permit)
          ELSE format('within permit %s: %s m high, %s m allowed (+%s m tolerance)', j.governing_permit,
            round(j.height_after_m::numeric, 1), round(j.permitted_height::numeric, 1), j.height_tolerance)
        END AS decision,
        CASE WHEN j.violation = 'none' THEN 0 ELSE round((
          (CASE j.violation ${weights} END) * j.weight * :recency *
          (10 * log(1 + j.area) + 2 * least(greatest(coalesce(CASE WHEN j.violation = 'exceeds_permitted_height'
            THEN CASE WHEN j.floors_only THEN (j.floors - j.permitted_floors) * ${Number(rules.floorHeightM)} ELSE j.height_after_m - j.permitted_height END
            ELSE j.height_change_m END, 0), 0), 15)))::numeric, 1)
        END AS priority
      FROM judged j LEFT JOIN grid_facts gf USING (id)
    )
    UPDATE candidates SET violation = d.violation, suspect = d.suspect, decision = d.decision, permit_no = d.permit_no,
      permit_share = d.permit_share, permitted_height_m = d.permitted_height, grid_id = d.grid_id, zones = d.zones, priority = d.priority
    FROM decided d WHERE candidates.id = d.id
    RETURNING d.suspect`,
    { jobId: context.jobId, afterDate: context.afterDate, recency: context.recency, survey: context.survey !== undefined,
      structuresOn: JSON.stringify(context.survey?.structuresOn ?? []) },
  );
  // an incomplete answer must not pass for a judgement (see the comment on `permitted`)
  const [{ n: unjudged }] = await knex('candidates').where({ job_id: context.jobId }).whereNull('violation').count({ n: '*' });
  if (Number(unjudged) > 0) throw new Error(`the plan overlay left ${unjudged} candidates of job ${context.jobId} unjudged: the database answered it incompletely`);
  return result.rows.filter((row: { suspect: boolean }) => row.suspect).length;
}

/**
 * A detect plan (`pipeline/run/run-detect.ts`) as JSON for the `jobs.plan` column, and back. Its
 * numbers survive JSON exactly (JavaScript writes the shortest text that reads back to the same
 * double); the coarse ground's heights go as base64 of their float32 bytes, NaN included.
 */
import type { DetectPlan } from '../pipeline/run/plan-detect.js';

/** The plan as stored. */
export function planToJson(plan: DetectPlan): Record<string, unknown> {
  const { ground } = plan;
  return {
    ...plan,
    ground: ground && { ...ground, values: Buffer.from(ground.values.buffer, ground.values.byteOffset, ground.values.byteLength).toString('base64') },
  };
}

/** The plan from what `planToJson` stored. */
export function planFromJson(json: Record<string, unknown>): DetectPlan {
  const stored = json as unknown as Omit<DetectPlan, 'ground'> & { ground: (Omit<NonNullable<DetectPlan['ground']>, 'values'> & { values: string }) | null };
  const { ground } = stored;
  if (!ground) return { ...stored, ground: null };
  const bytes = Buffer.from(ground.values, 'base64');
  // a copy, so that the heights start on a 4-byte boundary
  return { ...stored, ground: { ...ground, values: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) } };
}

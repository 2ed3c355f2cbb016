/**
 * Milliseconds per stage of a job, summed over every call of the stage (strips call theirs many
 * times), for the summary's stage table.
 */

/** Runs a stage's work and adds its wall time to `stagesMs[stage]`. */
export type StageTimer = <T>(stage: string, work: () => Promise<T>) => Promise<T>;

/** A timer that adds into `stagesMs`. */
export function stageTimer(stagesMs: Record<string, number>): StageTimer {
  return async (stage, work) => {
    const t = performance.now();
    try {
      return await work();
    } finally {
      stagesMs[stage] = (stagesMs[stage] ?? 0) + performance.now() - t;
    }
  };
}

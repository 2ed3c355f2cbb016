/**
 * Progress for long work: a bar per stage on a terminal, plain lines (at most one per 10%) when
 * output goes to a file or CI log.
 */
import cliProgress from 'cli-progress';

/** Reports progress of one stage: `tick(n)` adds n done units; `done()` ends the stage. */
export interface StageProgress {
  tick(units?: number): void;
  done(): void;
}

/** Starts progress for a stage of `total` units, written to stderr. */
export function startStage(label: string, total: number, unit = 'tiles'): StageProgress {
  const started = Date.now();
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label.padEnd(14)} {bar} {percentage}% | {value}/{total} ${unit} | {duration_formatted} elapsed, eta {eta_formatted}`,
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return {
      tick: (units = 1) => bar.increment(units),
      done: () => bar.stop(),
    };
  }
  let value = 0;
  let lastDecile = -1;
  return {
    tick(units = 1) {
      value += units;
      const decile = Math.floor((10 * value) / Math.max(total, 1));
      if (decile !== lastDecile && decile < 10) {
        lastDecile = decile;
        process.stderr.write(`${label}: ${value}/${total} ${unit} (${Math.floor((100 * value) / Math.max(total, 1))}%)\n`);
      }
    },
    done() {
      process.stderr.write(`${label}: ${value}/${total} ${unit} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    },
  };
}

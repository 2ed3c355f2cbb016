/**
 * One detect job as the `zhiwei` command runs it, for the benches that time it or weigh its
 * memory (`detectAsCommand` in built.js starts it): a process of its own with the command's Node
 * flags and environment, plain Node on the built code. Under tsx the job's worker threads would
 * load tsx too (they inherit `--import`): 0.2-0.6 CPU s of a 5 s job.
 *
 *   node bench/detect-child.js '{"beforeOrtho": ..., "out": ..., "threads": 2}'
 *
 * Prints one JSON line: the job's wall and CPU seconds, the process's peak RSS and the job's summary.
 */
import { builtPath } from './built.js';

const { threads, ...job } = JSON.parse(process.argv[2]);
const { runDetectJob } = await import(builtPath('pipeline/run/detect-job.js'));
const { defaultThresholds } = await import(builtPath('pipeline/thresholds.js'));
const cpu = process.cpuUsage();
const started = performance.now();
const summary = await runDetectJob(
  { layers: [], job: { ...job, model: 'zhiwei-cd-v1', threads, thresholds: defaultThresholds } },
  null,
  { progress: () => ({ tick() {}, done() {} }), evidenceDir: '', naming: 'flags' },
);
const seconds = (performance.now() - started) / 1000;
const { user, system } = process.cpuUsage(cpu);
const { candidates, tiles, grid, stagesMs } = summary;
console.log(JSON.stringify({ seconds, cpu_s: (user + system) / 1e6, peak_rss_mib: process.resourceUsage().maxRSS / 1024, summary: { candidates, tiles, grid, stagesMs } }));

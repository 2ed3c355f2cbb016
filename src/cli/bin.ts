#!/usr/bin/env -S GLIBC_TUNABLES=glibc.malloc.hugetlb=1:glibc.malloc.top_pad=0x4000000 node --initial-heap-size=128
/**
 * The `zhiwei` command. Each subcommand lives in its own file, loaded and registered here when it
 * is named; this file only catches whatever they throw, prints one clear line (and a hint) and
 * sets the exit code.
 *
 * V8 starts with a heap so small that a detect job, whose live heap stays at 15-50 MB while it
 * streams gigabytes of typed arrays, ran 38 full garbage collections on the 4096 px bench scene;
 * with a 128 MB initial heap it runs 6, for 5-10 % less CPU and wall time and ~30 MB more
 * memory. The job's large buffers (decoded blocks, strips, onnxruntime's arena) are fresh memory
 * whose first touch costs a page fault per 4 KiB page: glibc's `hugetlb=1` asks the kernel for
 * transparent huge pages where it allows them (THP `madvise`), 512 times fewer faults, which cut
 * the job's CPU by about a tenth (bench/README.md). `top_pad` keeps 64 MiB free at the top of a
 * malloc heap rather than handing it back to the kernel at once: buffers freed and taken again
 * (libvips' and onnxruntime's, a strip's) fault a third as often (28 against 84 thousand faults a
 * job). Benches that run the job read both from this line (bench/cli-flags.js). The line stays
 * under 128 characters, where kernels before 5.1 cut a shebang; V8's own settings are set by the
 * first import (v8-flags.ts).
 */
import './v8-flags.js';
import { Command } from 'commander';
import { errorKinds, errorKindOf, ZhiweiError } from '../errors.js';
const program = new Command('zhiwei')
  .description('Finds suspected illegal construction from drone orthophotos and DSMs (治违)')
  .showHelpAfterError()
  .exitOverride();

/** Each subcommand's file and the commands it registers, in the order `zhiwei --help` lists them. */
const subcommands: [names: string[], register: () => Promise<(program: Command) => void>][] = [
  [['synth'], async () => (await import('./synth.js')).registerSynth],
  [['detect'], async () => (await import('./detect.js')).registerDetect],
  [['survey'], async () => (await import('./survey.js')).registerSurvey],
  [['cog'], async () => (await import('./cog.js')).registerCog],
  [['demo'], async () => (await import('./demo.js')).registerDemo],
  [['eval'], async () => (await import('./eval.js')).registerEval],
  [['eval-cd'], async () => (await import('./eval-cd.js')).registerEvalCd],
  [['plans', 'zones', 'grids'], async () => (await import('./layers.js')).registerLayers],
  [['db'], async () => (await import('./db.js')).registerDb],
  [['serve'], async () => (await import('./serve.js')).registerServe],
  [['worker'], async () => (await import('./worker.js')).registerWorker],
  [['users'], async () => (await import('./users.js')).registerUsers],
  [['tokens'], async () => (await import('./tokens.js')).registerTokens],
  [['cases'], async () => (await import('./cases.js')).registerCases],
  [['export'], async () => (await import('./export.js')).registerExport],
  [['webhooks'], async () => (await import('./webhooks.js')).registerWebhooks],
  [['doctor'], async () => (await import('./doctor.js')).registerDoctor],
];

try {
  // Only the named subcommand's file is loaded: all of them import in about 1.1 s (the service
  // alone in 1.1 s, detect in 0.6 s). Anything else (`--help`, `help detect`, a mistyped name)
  // loads them all, so that commander lists, helps with and suggests every one.
  const named = subcommands.filter(([names]) => names.includes(process.argv[2]));
  for (const [, register] of named.length > 0 ? named : subcommands) (await register())(program);
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = exitCodeFor(err);
}

function exitCodeFor(err: unknown): number {
  // commander has already printed its own usage errors and help
  if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('commander.')) {
    const code = (err as { exitCode?: number }).exitCode ?? 2;
    return code === 0 ? 0 : errorKinds.bad_input.exitCode;
  }
  const kind = errorKindOf(err);
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`zhiwei: ${kind === 'internal' ? 'internal error: ' : ''}${message}\n`);
  if (err instanceof ZhiweiError && err.hint) process.stderr.write(`  hint: ${err.hint}\n`);
  if (kind === 'internal' && err instanceof Error && process.env.ZHIWEI_DEBUG) process.stderr.write(`${err.stack}\n`);
  return errorKinds[kind].exitCode;
}

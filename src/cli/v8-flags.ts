/**
 * V8's settings for the `zhiwei` process, set before any other module is compiled: `bin.ts`
 * imports this module first. They are not on its shebang line, which kernels before 5.1 cut at
 * 128 characters. Benches that run the job pass the same (bench/cli-flags.js reads them here).
 *
 * TurboFan optimizes a function once 400 KB of its bytecode has run, not V8's 66 KB. Optimized
 * that early, many of the job's functions had seen only part of their types and paths, were
 * thrown away at the first new one and compiled again: a detect job on the 4096 px bench scene
 * compiled 364 times and deoptimized 106 times, 1.7 CPU s of compiling on V8's threads. Now it
 * compiles 230 times and deoptimizes 64 times, for 0.8 CPU s and 0.4 s less a job (bench/README.md).
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--interrupt-budget=400000');

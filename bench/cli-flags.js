/**
 * The Node flags and environment `zhiwei` runs with, as its shebang gives them (src/cli/bin.ts),
 * and the V8 flags it sets first thing (src/cli/v8-flags.ts), passed here on the command line:
 * benches that run the job in their own process or a child run with them too, so that they
 * measure what the CLI does.
 */
import { readFileSync } from 'node:fs';

const shebang = readFileSync(new URL('../src/cli/bin.ts', import.meta.url), 'utf8').split('\n')[0].split(' ');

const v8Flags = [...readFileSync(new URL('../src/cli/v8-flags.ts', import.meta.url), 'utf8').matchAll(/setFlagsFromString\('([^']+)'\)/g)].map((match) => match[1]);

export const cliNodeFlags = [...shebang.filter((word) => word.startsWith('--')), ...v8Flags];

/** The variables the shebang sets (`NAME=value` before `node`). */
export const cliEnv = Object.fromEntries(shebang.filter((word) => /^[A-Z_]+=/.test(word)).map((word) => [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]));

/** Says so on stderr when this process runs without them (a bench started by hand with `npx tsx`). */
export function warnWithoutCliFlags(bench) {
  const missing = [
    ...cliNodeFlags.filter((flag) => !process.execArgv.includes(flag)),
    ...Object.entries(cliEnv).filter(([name, value]) => process.env[name] !== value).map(([name, value]) => `${name}=${value}`),
  ];
  if (missing.length > 0) {
    const command = [...Object.entries(cliEnv).map(([name, value]) => `${name}=${value}`), 'node', ...cliNodeFlags].join(' ');
    console.error(`${bench}: running without the CLI's ${missing.join(' ')}; \`npm run bench\` or \`${command} --import tsx bench/${bench}.ts\` runs as zhiwei does`);
  }
}

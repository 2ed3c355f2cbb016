/**
 * The Node flags `zhiwei` runs with, as its shebang gives them (src/cli/bin.ts): benches that run
 * the job in their own process or a child run with them too, so that they measure what the CLI does.
 */
import { readFileSync } from 'node:fs';

export const cliNodeFlags = readFileSync(new URL('../src/cli/bin.ts', import.meta.url), 'utf8')
  .split('\n')[0]
  .split(' ')
  .filter((word) => word.startsWith('--'));

/** Says so on stderr when this process runs without them (a bench started by hand with `npx tsx`). */
export function warnWithoutCliFlags(bench) {
  const missing = cliNodeFlags.filter((flag) => !process.execArgv.includes(flag));
  if (missing.length > 0) {
    console.error(`${bench}: running without the CLI's ${missing.join(' ')}; \`npm run bench\` or \`node ${cliNodeFlags.join(' ')} --import tsx bench/${bench}.ts\` runs as zhiwei does`);
  }
}

/**
 * The `zhiwei` command as a whole: it loads only the subcommand named, so what it lists, helps
 * with and suggests when no subcommand (or an unknown one) is named must still cover them all.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../test-support/cli.js';

const subcommands = ['synth', 'detect', 'survey', 'cog', 'demo', 'eval', 'eval-cd', 'plans', 'zones', 'grids', 'db', 'serve', 'worker', 'users', 'tokens', 'cases', 'export', 'webhooks', 'doctor'];

describe('zhiwei', () => {
  it('lists every subcommand, helps with a named one and suggests the nearest to a mistyped one', async () => {
    const [all, zones, mistyped] = await Promise.all([runCli(['--help']), runCli(['zones', '--help']), runCli(['detetc'])]);
    expect(all.code).toBe(0);
    const listed = [...all.stdout.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((match) => match[1]);
    expect(listed).toEqual([...subcommands, 'help']);
    expect(zones.code).toBe(0);
    expect(zones.stdout).toMatch(/Usage: zhiwei zones[\s\S]*import \[options\] <file>/);
    expect(mistyped.code).toBe(2);
    expect(mistyped.stderr).toContain('(Did you mean detect?)');
  });
});

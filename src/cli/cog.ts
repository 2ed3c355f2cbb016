/**
 * `zhiwei cog IN OUT`: rewrites an orthophoto or DSM as a Cloud-Optimized GeoTIFF (512 px tiles,
 * DEFLATE with predictor, overviews), the form `zhiwei detect` reads over HTTP with range requests.
 */
import type { Command } from 'commander';
import { convertToCog } from '../raster/cog-convert.js';
import { startStage } from './progress.js';

/** Registers the `cog` subcommand. */
export function registerCog(program: Command): void {
  program
    .command('cog')
    .description('convert an orthophoto or DSM (GeoTIFF file or http(s) URL) into a Cloud-Optimized GeoTIFF with overviews')
    .argument('<in>', 'GeoTIFF to convert (a path or an http(s) URL)')
    .argument('<out>', 'COG to write (replaced whole when it exists)')
    .action(async (input: string, output: string) => {
      const started = Date.now();
      const report = await convertToCog(input, output, (rows) => startStage('cog', rows, 'rows'));
      const layout = `${report.width} x ${report.height}, ${report.bandCount} x ${report.sampleType}, ${report.overviews} overviews`;
      const lines = [`wrote ${output} (${layout})`];
      if (report.heightsConvertedFrom) lines.push(`heights stored in ${report.heightsConvertedFrom} were written in metres`);
      lines.push(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

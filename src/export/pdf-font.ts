/**
 * The CJK font of the PDF dossiers: `ZHIWEI_CJK_FONT` (a .ttf or .otf file) when set, otherwise
 * Noto Sans CJK SC from Debian's fonts-noto-cjk package.
 */
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { BadInputError, DependencyMissingError } from '../errors.js';

/** Where fonts-noto-cjk installs the collection holding Noto Sans CJK SC. */
const notoCollection = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';

/** A font file for pdfkit, and the font to take from it when it is a collection (.ttc). */
export interface FontSource {
  path: string;
  family?: string;
}

/** The CJK font to use; throws when it is not installed. */
export function cjkFont(): FontSource {
  const configured = process.env.ZHIWEI_CJK_FONT;
  if (configured) {
    if (!['.ttf', '.otf'].includes(extname(configured).toLowerCase())) throw new BadInputError(`ZHIWEI_CJK_FONT "${configured}" is not a .ttf or .otf font file`);
    if (!existsSync(configured)) throw new DependencyMissingError(`the CJK font ZHIWEI_CJK_FONT "${configured}" does not exist`);
    return { path: configured };
  }
  if (!existsSync(notoCollection)) {
    throw new DependencyMissingError(
      `PDF export needs a CJK font: ${notoCollection} is missing`,
      'install the Debian package fonts-noto-cjk (apt-get install fonts-noto-cjk), or set ZHIWEI_CJK_FONT to a .ttf/.otf font with Chinese glyphs',
    );
  }
  return { path: notoCollection, family: 'NotoSansCJKsc-Regular' };
}

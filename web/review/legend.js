// @ts-check
/**
 * The map's legend, under the layer menu: the case outline colour of each state, the fill of each
 * violation, the register buildings' fill by legality, and the height-change ramp (falls blue,
 * rises red, saturating at ±10 m; changes under 0.5 m are not drawn), in the page's language.
 */
import { t } from '../shared/i18n.js';
import { legalityColours, stateColours, violationColours } from './layers.js';

/** The ramp's ends, as `src/tiles/height-colours.ts` draws the height-change tiles. */
const ramp = 'linear-gradient(to right, #2166ac, #92c5de 47%, transparent 47% 53%, #f4a582 53%, #b2182b)';

/** Fills `details` with the legend and keeps it in the page's language. @param {HTMLDetailsElement} details */
export function showLegend(details) {
  const render = () => {
    const swatches = (/** @type {Readonly<Record<string, string>>} */ colours, /** @type {string} */ prefix, /** @type {'outline' | 'fill'} */ style) =>
      Object.entries(colours).map(([key, colour]) => {
        const item = document.createElement('li');
        const swatch = Object.assign(document.createElement('span'), { className: `swatch ${style}` });
        if (style === 'outline') swatch.style.borderColor = colour;
        else swatch.style.background = colour;
        item.append(swatch, t(`${prefix}.${key}`));
        return item;
      });
    const list = (/** @type {string} */ title, /** @type {HTMLElement[]} */ items) => {
      const heading = Object.assign(document.createElement('p'), { textContent: title });
      const ul = document.createElement('ul');
      ul.append(...items);
      return [heading, ul];
    };
    const bar = Object.assign(document.createElement('div'), { className: 'ramp' });
    bar.style.background = ramp;
    const scale = document.createElement('div');
    scale.className = 'ramp-scale';
    scale.append(...['−10', '0', '+10'].map((value) => Object.assign(document.createElement('span'), { textContent: `${value} ${t('unit.m')}` })));
    details.replaceChildren(
      Object.assign(document.createElement('summary'), { textContent: t('legend.title') }),
      ...list(t('legend.states'), swatches(stateColours, 'state', 'outline')),
      ...list(t('legend.violations'), swatches(violationColours, 'violation', 'fill')),
      ...list(t('legend.buildings'), swatches(legalityColours, 'legality', 'fill')),
      Object.assign(document.createElement('p'), { textContent: t('legend.height_change') }),
      bar,
      scale,
    );
  };
  render();
  document.addEventListener('zhiwei:language', render);
}

// @ts-check
/**
 * The before/after divider: a slider (`role=slider`, 0-100 % of the map's width from the left)
 * that clips the before map to its left. Dragged with the pointer, moved with the arrow keys
 * (Shift or Page Up/Down for big steps, Home and End for the edges).
 */
import { t } from '../shared/i18n.js';

/**
 * Wires `divider` to clip `beforeMap` inside `area`.
 * @param {HTMLElement} divider @param {HTMLElement} beforeMap @param {HTMLElement} area
 */
export function setUpSwipe(divider, beforeMap, area) {
  let percent = 50;
  const place = (/** @type {number} */ value) => {
    percent = Math.min(100, Math.max(0, Math.round(value)));
    divider.style.left = `${percent}%`;
    beforeMap.style.clipPath = `inset(0 ${100 - percent}% 0 0)`;
    divider.setAttribute('aria-valuenow', String(percent));
    divider.setAttribute('aria-valuetext', `${t('map.before')} ${percent}% · ${t('map.after')} ${100 - percent}%`);
  };
  const fromPointer = (/** @type {PointerEvent} */ event) => {
    const box = area.getBoundingClientRect();
    place(((event.clientX - box.left) / box.width) * 100);
  };
  divider.addEventListener('pointerdown', (event) => {
    divider.setPointerCapture(event.pointerId);
    event.preventDefault();
  });
  divider.addEventListener('pointermove', (event) => {
    if (divider.hasPointerCapture(event.pointerId)) fromPointer(event);
  });
  divider.addEventListener('keydown', (event) => {
    const step = event.shiftKey ? 10 : 2;
    /** @type {Record<string, number>} */
    const moves = { ArrowLeft: percent - step, ArrowDown: percent - step, ArrowRight: percent + step, ArrowUp: percent + step, PageDown: percent - 10, PageUp: percent + 10, Home: 0, End: 100 };
    if (!(event.key in moves)) return;
    place(moves[event.key]);
    event.preventDefault();
  });
  document.addEventListener('zhiwei:language', () => place(percent));
  place(percent);
}

/**
 * Albedo of tree crowns: leaf clumps lit by the sun, turning in autumn, bare twigs and branches in winter.
 */
import { cellNoise, fbm } from './random.js';
import { setRgb, type Albedo } from './shade-ground.js';
import type { SunVector } from './shade-structures.js';
import type { Epoch, Tree } from './types.js';

/** The albedo of a tree crown at a scene point; `vigour` is 1 in summer, lower in autumn and winter. */
export function shadeTree(out: Albedo, tree: Tree, epoch: Epoch, x: number, y: number, sun: SunVector, seed: number, vigour: number): void {
  const radius = tree.radius[epoch === 'before' ? 0 : 1];
  const dx = (x - tree.x) / radius;
  const dy = (y - tree.y) / radius;
  const r2 = Math.min(1, dx * dx + dy * dy);
  const nz = Math.sqrt(1 - 0.6 * r2);
  const dome = Math.max(0.15, (dx * 0.77 * sun.x + dy * 0.77 * sun.y + nz * sun.z) / sun.z);
  const clump = cellNoise(x / 0.55, y / 0.55, seed + tree.id);
  const leaves = 1.2 - 0.75 * clump;
  const fine = 0.85 + 0.3 * fbm(x / 0.2, y / 0.2, seed + 141, 2);
  let [r, g, b] = tree.colour;
  if (!tree.evergreen && vigour < 1) {
    const turn = (1 - vigour) * (0.6 + 0.4 * tree.tone);
    r += (150 - r) * turn;
    g += (118 - g) * turn;
    b += (58 - b) * turn;
  }
  const k = leaves * fine * (0.92 + 0.16 * tree.tone);
  setRgb(out, r * k, g * k, b * k, Math.min(1.6, dome));
  // Bare winter crowns: grey-brown twigs, branches radiating from the trunk.
  if (!tree.evergreen && vigour < 0.5) {
    const angle = Math.atan2(dy, dx);
    const branch = Math.abs(Math.sin(angle * (4 + Math.round(4 * tree.tone)) + 2.5 * Math.sqrt(r2) + 3 * tree.tone));
    const twig = 0.75 + 0.35 * fbm(x / 0.15, y / 0.15, seed + 142, 2);
    const [br, bg, bb] = branch < 0.18 ? [82, 72, 62] : [128, 116, 102];
    out[0] = br * twig;
    out[1] = bg * twig;
    out[2] = bb * twig;
  }
}

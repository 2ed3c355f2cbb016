/**
 * A bucket grid over the scene: each object is filed under every cell its bounds touch, so a
 * render block visits only the objects near it.
 */
import type { Bounds } from './geometry.js';

/** A uniform grid of buckets over [0, extent] squared; items outside are clamped to the edge cells. */
export class BucketIndex<T extends { readonly bounds: Bounds }> {
  private readonly cells: number[][];
  private readonly items: T[] = [];
  private readonly across: number;

  constructor(
    extent: number,
    private readonly cellSize: number,
  ) {
    this.across = Math.max(1, Math.ceil(extent / cellSize));
    this.cells = Array.from({ length: this.across * this.across }, () => []);
  }

  /** Files an item under the cells its bounds touch. */
  insert(item: T): void {
    const index = this.items.push(item) - 1;
    this.forCells(item.bounds, (cell) => cell.push(index));
  }

  /** Items whose cells touch `bounds`, in insertion order, each once. */
  query(bounds: Bounds): T[] {
    const found = new Set<number>();
    this.forCells(bounds, (cell) => {
      for (const index of cell) found.add(index);
    });
    return [...found]
      .sort((a, b) => a - b)
      .map((index) => this.items[index])
      .filter((item) => item.bounds[0] < bounds[2] && bounds[0] < item.bounds[2] && item.bounds[1] < bounds[3] && bounds[1] < item.bounds[3]);
  }

  private forCells(bounds: Bounds, visit: (cell: number[]) => void): void {
    const clamp = (value: number) => Math.min(this.across - 1, Math.max(0, Math.floor(value / this.cellSize)));
    const [i0, j0, i1, j1] = [clamp(bounds[0]), clamp(bounds[1]), clamp(bounds[2]), clamp(bounds[3])];
    for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) visit(this.cells[j * this.across + i]);
  }
}

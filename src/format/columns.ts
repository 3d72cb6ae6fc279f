// Responsive column layout for tables: which columns fit in a width, and how wide each one is.
// Pure and deterministic: the same columns and width always give the same layout.

export interface ColumnSpec {
  key: string;
  /** Narrowest useful width; a column never shrinks below it (it is dropped instead). */
  min: number;
  /** Widest it grows to; no limit when absent. */
  max?: number;
  /** Higher stays longer: when space runs out the lowest priority goes first. */
  priority: number;
  /** Share of spare width (0 or absent: stays at `min`). */
  grow?: number;
}

export interface ColumnLayout {
  key: string;
  width: number;
}

/**
 * Keeps columns in their given order. While the kept columns' minimum widths plus gaps exceed
 * `width`, drops the lowest-priority column; among equal priorities the narrower one goes first
 * (it carries less), then the rightmost. Spare width then goes to `grow` columns in proportion to
 * `grow`, each capped at its `max`; leftover cells from rounding go left to right. When even the
 * most important column alone is wider than `width`, it is kept, cut to `width`.
 */
export function layoutColumns(cols: ReadonlyArray<ColumnSpec>, width: number, gap = 1): ColumnLayout[] {
  const total = Math.max(0, Math.floor(width));
  const g = Math.max(0, Math.floor(gap));
  const mins = cols.map((c) => Math.max(0, Math.floor(c.min)));
  const kept = cols.map(() => true);
  let count = cols.length;
  let need = mins.reduce((a, b) => a + b, 0) + g * Math.max(0, count - 1);

  // Drop order: lowest priority, then narrowest, then rightmost.
  const dropOrder = cols
    .map((c, i) => i)
    .sort((a, b) => cols[a].priority - cols[b].priority || mins[a] - mins[b] || b - a);
  for (const i of dropOrder) {
    if (need <= total || count <= 1) break;
    kept[i] = false;
    count--;
    need -= mins[i] + g;
  }

  const idx = cols.map((_, i) => i).filter((i) => kept[i]);
  const widths = new Map<number, number>(idx.map((i) => [i, mins[i]]));
  if (count === 1 && need > total) widths.set(idx[0], total);

  let spare = total - need;
  const capOf = (i: number): number => (cols[i].max === undefined ? Infinity : Math.max(mins[i], Math.floor(cols[i].max!)));
  let growing = idx.filter((i) => (cols[i].grow ?? 0) > 0 && widths.get(i)! < capOf(i));
  while (spare > 0 && growing.length > 0) {
    const weight = growing.reduce((a, i) => a + cols[i].grow!, 0);
    let given = 0;
    for (const i of growing) {
      const room = capOf(i) - widths.get(i)!;
      const share = Math.min(room, Math.floor((spare * cols[i].grow!) / weight));
      widths.set(i, widths.get(i)! + share);
      given += share;
    }
    if (given === 0) {
      // Rounding left less than one cell per column: hand out single cells left to right.
      for (const i of growing) {
        if (spare - given === 0) break;
        if (widths.get(i)! < capOf(i)) {
          widths.set(i, widths.get(i)! + 1);
          given++;
        }
      }
    }
    spare -= given;
    growing = growing.filter((i) => widths.get(i)! < capOf(i));
  }
  return idx.map((i) => ({ key: cols[i].key, width: widths.get(i)! }));
}

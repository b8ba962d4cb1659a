// The schema of the workspace's database as a diagram: a box per table
// listing its columns (the primary key's underlined, foreign keys' in
// italics), tables that others point at to the left of those that point,
// and a line from each foreign key to the column it references.

import type { Schema, SchemaTable } from "./protocol";
import { svgEl } from "./svg";

const ROW = 18; // a column's line
const HEAD = 24; // a table's name
const GAP_X = 56;
const GAP_Y = 20;
const CHAR = 7.3; // the width of a character at the label's size

/** depths puts each table one column right of the deepest table it
 * references (cycles, self-references included, are cut where met). */
function depths(tables: SchemaTable[]): Map<string, number> {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (t: SchemaTable): number => {
    const known = depth.get(t.name);
    if (known !== undefined) return known;
    if (visiting.has(t.name)) return 0;
    visiting.add(t.name);
    let d = 0;
    for (const fk of t.foreignKeys ?? []) {
      const ref = byName.get(fk.refTable);
      if (ref && ref !== t) d = Math.max(d, visit(ref) + 1);
    }
    visiting.delete(t.name);
    depth.set(t.name, d);
    return d;
  };
  tables.forEach(visit);
  return depth;
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
  rows: Map<string, number>; // column name to its line's middle, y
}

export function drawSchema(s: Schema): SVGElement {
  const depth = depths(s.tables);
  const columns: SchemaTable[][] = [];
  for (const t of s.tables) (columns[depth.get(t.name)!] ??= []).push(t);
  const boxes = new Map<string, Box>();
  let x = 0;
  let height = 0;
  for (const col of columns) {
    if (!col) continue;
    const w = Math.max(...col.flatMap((t) => [t.name.length + 2, ...t.columns.map((c) => c.name.length + c.type.length + 4)])) * CHAR + 16;
    let y = 0;
    for (const t of col) {
      const rows = new Map<string, number>();
      t.columns.forEach((c, i) => rows.set(c.name, y + HEAD + i * ROW + ROW / 2 + 3));
      const h = HEAD + t.columns.length * ROW + 6;
      boxes.set(t.name, { x, y, w, h, rows });
      y += h + GAP_Y;
    }
    height = Math.max(height, y - GAP_Y);
    x += w + GAP_X;
  }
  const svg = svgEl("svg", { class: "schema", width: Math.max(x - GAP_X, 0) + 24, height: height + 2, role: "img" });
  svg.append(svgEl("title", {}, `the tables of ${s.database}, with a line from each foreign key to what it references`));
  // Lines first, so the boxes sit over their ends.
  for (const t of s.tables) {
    const from = boxes.get(t.name)!;
    for (const fk of t.foreignKeys ?? []) {
      const to = boxes.get(fk.refTable);
      if (!to) continue;
      const y1 = from.rows.get(fk.columns[0]) ?? from.y + HEAD / 2;
      const y2 = to.rows.get(fk.refColumns[0]) ?? to.y + HEAD / 2;
      let d: string;
      if (to === from) {
        // A table referencing itself: a loop on its right.
        const r = from.x + from.w;
        d = `M${r},${y1} C${r + 30},${y1} ${r + 30},${y2} ${r},${y2}`;
      } else if (to.x < from.x) {
        const x1 = from.x;
        const x2 = to.x + to.w;
        d = `M${x1},${y1} C${x1 - GAP_X / 2},${y1} ${x2 + GAP_X / 2},${y2} ${x2},${y2}`;
      } else {
        // Same column (a cycle cut short): around the left side.
        d = `M${from.x},${y1} C${from.x - 30},${y1} ${to.x - 30},${y2} ${to.x},${y2}`;
      }
      const path = svgEl("path", { d, class: "schema-fk" });
      path.append(svgEl("title", {}, `${t.name}.${fk.columns.join(", ")} → ${fk.refTable}.${fk.refColumns.join(", ")}`));
      svg.append(path);
    }
  }
  for (const t of s.tables) {
    const b = boxes.get(t.name)!;
    const fkCols = new Set((t.foreignKeys ?? []).flatMap((fk) => fk.columns));
    const g = svgEl("g", { class: "schema-table", "data-table": t.name });
    g.append(
      svgEl("rect", { x: b.x + 0.5, y: b.y + 0.5, width: b.w, height: b.h, rx: 5, class: "schema-box" }),
      svgEl("rect", { x: b.x + 0.5, y: b.y + 0.5, width: b.w, height: HEAD, rx: 5, class: "schema-head" }),
      svgEl("text", { x: b.x + 8, y: b.y + 16, class: "schema-name" }, t.name),
    );
    for (const c of t.columns) {
      const y = b.rows.get(c.name)!;
      const cls = ["schema-col", c.primaryKey ? "schema-pk" : "", fkCols.has(c.name) ? "schema-fkcol" : ""].filter(Boolean).join(" ");
      const text = svgEl("text", { x: b.x + 8, y: y + 1, class: cls }, c.name);
      const type = svgEl("text", { x: b.x + b.w - 8, y: y + 1, class: "schema-type", "text-anchor": "end" }, c.type.toLowerCase());
      g.append(text, type);
    }
    svg.append(g);
  }
  return svg;
}

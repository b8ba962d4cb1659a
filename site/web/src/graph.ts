// The migration graph as a picture: one row per revision, newest at the
// top, branches in lanes side by side, lines to each parent, and the
// database's current revisions filled in.

import type { MigrationGraph } from "./protocol";
import { svgEl } from "./svg";

const ROW = 26;
const LANE = 18;
const R = 5;

/** lanes puts each revision in a column: its first parent's, unless a
 * sibling took that one already. */
function lanes(g: MigrationGraph): Map<string, number> {
  const lane = new Map<string, number>();
  const taken = new Set<string>(); // parents whose lane a child continues
  let next = 0;
  for (const r of g.revisions) {
    const parent = r.down?.find((p) => lane.has(p) && !taken.has(p));
    if (parent !== undefined) {
      lane.set(r.id, lane.get(parent)!);
      taken.add(parent);
    } else {
      lane.set(r.id, next++);
    }
  }
  return lane;
}

export function drawGraph(g: MigrationGraph): SVGElement {
  const lane = lanes(g);
  const n = g.revisions.length;
  const width = Math.max(...lane.values()) + 1;
  const textX = width * LANE + 12;
  const row = new Map<string, number>();
  g.revisions.forEach((r, i) => row.set(r.id, n - 1 - i));
  const pos = (id: string) => ({ x: lane.get(id)! * LANE + LANE / 2, y: row.get(id)! * ROW + ROW / 2 });
  const svg = svgEl("svg", { class: "graph", width: textX + 520, height: n * ROW, role: "img" });
  svg.append(svgEl("title", {}, "the revisions, newest at the top, with lines to the revisions each revises"));
  for (const r of g.revisions) {
    const a = pos(r.id);
    for (const [parents, dashed] of [[r.down ?? [], false], [r.dependsOn ?? [], true]] as const) {
      for (const p of parents) {
        if (!row.has(p)) continue;
        const b = pos(p);
        const d = a.x === b.x ? `M${a.x},${a.y} L${b.x},${b.y}` : `M${a.x},${a.y} C${a.x},${b.y - ROW / 2} ${b.x},${a.y + ROW / 2} ${b.x},${b.y}`;
        svg.append(svgEl("path", { d, class: dashed ? "graph-dep" : "graph-edge" }));
      }
    }
  }
  for (const r of g.revisions) {
    const a = pos(r.id);
    const current = (g.current ?? []).includes(r.id);
    svg.append(svgEl("circle", { cx: a.x, cy: a.y, r: R, class: current ? "graph-node graph-current" : "graph-node" }));
    const marks = [r.head ? "(head)" : "", r.branchPoint ? "(branchpoint)" : "", r.mergePoint ? "(mergepoint)" : "", current ? "← current" : ""]
      .filter(Boolean)
      .join(" ");
    const label = svgEl("text", { x: textX, y: a.y + 4, class: "graph-label" });
    label.append(svgEl("tspan", { class: "graph-id" }, r.id), svgEl("tspan", {}, ` ${r.message} ${marks}`));
    svg.append(label);
  }
  return svg;
}

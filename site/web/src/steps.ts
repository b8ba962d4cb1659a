// Steps and deep links: a lesson's cells are its steps 1..n; the page's
// address may name one (#step-7, or a cell's id, #cell-select), which
// the page scrolls to below its sticky toolbar.

import type { CellView } from "./cell";

/** stepsOf reads the steps the build wrote beside the cells (the
 * .step-anchor before each), or numbers the cells in order. */
export function stepsOf(cells: HTMLElement[]): Map<HTMLElement, number> {
  const steps = new Map<HTMLElement, number>();
  const byId = new Map<string, number>();
  for (const a of document.querySelectorAll<HTMLElement>(".step-anchor[data-cell]")) byId.set(a.dataset.cell!, Number(a.dataset.step));
  cells.forEach((el, i) => steps.set(el, byId.get(el.dataset.id!) ?? i + 1));
  return steps;
}

export type Target = { cell: CellView } | { missing: string } | null;

/** target reads which cell an address names: a step, a cell id, or
 * nothing a cell answers to (a heading's anchor is null). */
export function target(hash: string, cells: CellView[]): Target {
  let h = hash.replace(/^#/, "");
  try {
    h = decodeURIComponent(h);
  } catch {
    /* keep it as written */
  }
  let m = /^step-(.*)$/i.exec(h);
  if (m) {
    const c = /^\d+$/.test(m[1]) ? cells.find((c) => c.step === Number(m![1])) : undefined;
    return c ? { cell: c } : { missing: `step ${m[1]}` };
  }
  m = /^cell-(.+)$/.exec(h);
  if (m) {
    const c = cells.find((c) => c.id === m![1]);
    return c ? { cell: c } : { missing: `cell “${m[1]}”` };
  }
  return null;
}

/** scrollToCell brings a cell to the top of the window, below the
 * toolbar (the cells' scroll-margin-top is the toolbar's height). */
export function scrollToCell(c: CellView) {
  c.el.scrollIntoView({ block: "start" });
}

/** trackToolbar keeps --toolbar-h the sticky toolbar's height, which the
 * cells' scroll margin uses. */
export function trackToolbar(toolbar: HTMLElement) {
  const set = () => document.documentElement.style.setProperty("--toolbar-h", `${toolbar.offsetHeight}px`);
  set();
  if ("ResizeObserver" in window) new ResizeObserver(set).observe(toolbar);
}

/** stepRange names the steps before a cell: "step 1", "steps 1–6". */
export function stepRange(steps: CellView[]): string {
  if (steps.length === 0) return "no cells";
  const first = steps[0].step;
  const last = steps[steps.length - 1].step;
  if (first === undefined || last === undefined) return steps.length === 1 ? "the cell above" : `the ${steps.length} cells above`;
  return first === last ? `step ${first}` : `steps ${first}–${last}`;
}

// Rendering a cell's result: stdout, displayed values, the error, and the
// SQL log.

import type { Diagnostic, Display, Result, SQLEntry } from "./protocol";

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export function renderOutput(into: HTMLElement, r: Result, onError: (d: Diagnostic) => void) {
  into.replaceChildren();
  if (r.stdout) into.append(el("pre", "out-stdout", r.stdout));
  for (const d of r.display ?? []) into.append(renderDisplay(d));
  if (r.error) {
    const d = r.error;
    const box = el("div", "out-error");
    const where = d.pos.line > 0 ? `${d.pos.line}:${d.pos.col}: ` : "";
    box.append(el("span", "out-error-kind", d.kind + " error"), " ");
    const link = el("a", "out-error-pos", where);
    link.href = "#";
    link.onclick = (e) => {
      e.preventDefault();
      onError(d);
    };
    if (where) box.append(link);
    box.append(el("span", "out-error-msg", d.message));
    into.append(box);
  }
  if (!into.hasChildNodes()) into.append(el("div", "out-empty", "(no output)"));
}

function renderDisplay(d: Display): HTMLElement {
  if (d.kind === "notice") return el("div", "out-notice", d.text);
  if (d.kind !== "table") return el("pre", "out-text", d.text);
  const wrap = el("div", "out-table-wrap");
  const t = el("table", "out-table");
  const head = t.createTHead().insertRow();
  for (const c of d.columns ?? []) head.append(el("th", "", c));
  const body = t.createTBody();
  for (const row of d.rows ?? []) {
    const tr = body.insertRow();
    for (const v of row) tr.append(el("td", v === "NULL" ? "null" : "", v));
  }
  const n = d.rows?.length ?? 0;
  wrap.append(t, el("div", "out-table-count", `${n} ${n === 1 ? "row" : "rows"}`));
  return wrap;
}

const txEvents = new Set(["BEGIN", "COMMIT", "ROLLBACK"]);

/** tuple writes rendered values as a Python tuple, as the talks' logs do. */
function tuple(vals: string[]): string {
  return `(${vals.join(", ")}${vals.length === 1 ? "," : ""})`;
}

export function renderSQL(into: HTMLElement, log: SQLEntry[]) {
  into.replaceChildren();
  if (log.length === 0) {
    into.append(el("div", "sql-empty", "No SQL sent."));
    return;
  }
  for (const e of log) {
    const tx = e.event || txEvents.has(e.statement);
    const row = el("div", tx ? "sql-entry sql-tx" : "sql-entry");
    row.append(el("pre", "sql-stmt", e.statement.trim()));
    const meta: string[] = [];
    if (e.note) meta.push(e.note);
    if (e.many) meta.push(`(${e.many.map(tuple).join(", ")})`);
    else if (!tx) meta.push(tuple(e.params ?? []));
    meta.push(`${e.durationMs.toFixed(2)} ms`);
    if (e.rows >= 0) meta.push(`${e.rows} ${e.rows === 1 ? "row" : "rows"}`);
    row.append(el("div", "sql-meta", meta.join(" · ")));
    if (e.error) row.append(el("div", "sql-error", e.error));
    into.append(row);
  }
}

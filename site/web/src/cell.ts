// A cell: an editor with a Run button, whose output and SQL log appear
// beneath it. Until it runs, it shows the output its lesson expects. A
// lesson page and embed.js both make cells of this one kind.

import type { Diagnostic, Result } from "./protocol";
import { drawGraph } from "./graph";
import type { Kernel } from "./kernel";
import { type CellEditor, createEditor } from "./editor";
import { renderOutput, renderSQL } from "./output";

/** CellHost is what a cell needs from the page around it: a lesson page,
 * or a page that embed.js brings cells into. */
export interface CellHost {
  /** kernel is the page's kernel, started on first use. */
  kernel(): Kernel;
  kernelReady(): boolean;
  /** storageKey keys a cell's edits in localStorage. */
  storageKey(cellId: string): string;
  /** ran hears of every run, with its round trip in milliseconds. */
  ran?(cell: CellView, result: Result, ms: number): void;
}

export class CellView {
  readonly id: string;
  readonly kind: string;
  readonly attrs: Record<string, string>;
  readonly original: string;
  /** expectsError tells a cell the lesson shows failing on purpose. */
  readonly expectsError: boolean;
  editor: CellEditor;
  private output: HTMLElement;
  private sql: HTMLElement;
  private status: HTMLElement;
  private revert: HTMLButtonElement;
  private storageKey: string;

  constructor(readonly el: HTMLElement, private host: CellHost) {
    this.id = el.dataset.id!;
    this.kind = el.dataset.kind!;
    this.attrs = JSON.parse(el.dataset.attrs || "{}");
    const pre = el.querySelector<HTMLElement>("pre.cell-source")!;
    this.original = pre.textContent!.replace(/\n$/, "");
    this.storageKey = host.storageKey(this.id);
    const saved = load(this.storageKey);

    const head = el.querySelector<HTMLElement>(".cell-head")!;
    const run = button("Run", "cell-run", () => void this.run());
    run.title = "Run this cell (Shift+Enter)";
    this.revert = button("Revert", "cell-revert", () => this.revertEdits());
    this.revert.title = "Put back the lesson's code";
    this.status = span("cell-status");
    head.append(this.status, this.revert, run);

    const editorHost = document.createElement("div");
    editorHost.className = "cell-editor";
    pre.replaceWith(editorHost);
    this.editor = createEditor({
      parent: editorHost,
      doc: saved ?? this.original,
      lang: languageOf(this.kind, this.attrs),
      onRun: () => void this.run(),
      onChange: (doc) => this.edited(doc),
    });
    this.revert.hidden = saved === null || saved === this.original;

    // The expected blocks stay, labelled, until the cell runs live.
    const expected = document.createElement("div");
    expected.className = "cell-expected";
    const expOut = el.querySelector("pre.cell-expected-output");
    this.expectsError = /^error: /m.test(expOut?.textContent ?? "");
    const expSQL = el.querySelector("pre.cell-expected-sql");
    if (expOut) expected.append(span("cell-label", "Expected output"), expOut);
    if (expSQL) expected.append(span("cell-label", "Expected SQL"), expSQL);
    this.output = document.createElement("div");
    this.output.className = "cell-output";
    this.output.hidden = true;
    const sqlBox = document.createElement("details");
    sqlBox.className = "cell-sql";
    sqlBox.open = true;
    sqlBox.hidden = true;
    sqlBox.append(Object.assign(document.createElement("summary"), { textContent: "SQL log" }));
    this.sql = document.createElement("div");
    sqlBox.append(this.sql);
    el.append(expected, this.output, sqlBox);
    el.dataset.state = "idle";
  }

  private edited(doc: string) {
    this.revert.hidden = doc === this.original;
    save(this.storageKey, doc === this.original ? null : doc);
  }

  private revertEdits() {
    this.editor.text = this.original;
    this.editor.markError(null);
  }

  async run(): Promise<Result> {
    this.el.dataset.state = "running";
    this.status.textContent = !this.host.kernelReady()
      ? "waiting for the kernel…"
      : this.host.kernel().warming
        ? "waiting for the kernel's warm-up…"
        : "running…";
    this.editor.markError(null);
    const t0 = performance.now();
    const result = await this.host.kernel().run({ id: this.id, kind: this.kind, source: this.editor.text, attrs: this.attrs });
    // The round trip as the reader feels it: message, run, reply, render.
    this.show(result);
    this.host.ran?.(this, result, performance.now() - t0);
    if (this.kind === "shell" || this.kind === "file") {
      // The picture is a help, never a reason for the run to fail.
      await this.showGraph().catch((e) => console.warn("migration graph:", e));
    }
    return result;
  }

  /** showGraph draws the workspace's migration graph under the cell, when
   * there is a migrate project to draw. */
  async showGraph() {
    const reply = await this.host.kernel().request({ op: "graph" });
    let box = this.el.querySelector<HTMLDetailsElement>("details.cell-graph");
    if (!reply.graph || reply.graph.revisions.length === 0) {
      if (box) box.hidden = true;
      return;
    }
    if (!box) {
      box = document.createElement("details");
      box.className = "cell-graph";
      box.open = true;
      box.append(document.createElement("summary"));
      this.el.append(box);
    }
    box.hidden = false;
    const g = reply.graph;
    box.querySelector("summary")!.textContent = `Migration graph (${g.revisions.length} revisions)`;
    box.querySelector("svg")?.remove();
    box.append(drawGraph(g));
  }

  /** note shows a word on the kernel while the cell waits for it. */
  note(text: string) {
    if (this.el.dataset.state === "running") this.status.textContent = text;
  }

  show(r: Result) {
    this.el.querySelector<HTMLElement>(".cell-expected")!.hidden = true;
    this.output.hidden = false;
    renderOutput(this.output, r, (d: Diagnostic) => this.editor.focusAt(d.pos.line, d.pos.col));
    const box = this.sql.parentElement!;
    box.hidden = false;
    (box.querySelector("summary") as HTMLElement).textContent = `SQL log (${r.sql.length})`;
    renderSQL(this.sql, r.sql);
    if (r.error && r.error.pos.line > 0) this.editor.markError(r.error.pos);
    this.status.textContent = r.error ? `failed · ${r.durationMs.toFixed(1)} ms` : `ran in ${r.durationMs.toFixed(1)} ms`;
    this.el.dataset.state = r.error ? "error" : "done";
  }

  clear() {
    this.el.querySelector<HTMLElement>(".cell-expected")!.hidden = false;
    this.output.hidden = true;
    this.sql.parentElement!.hidden = true;
    this.status.textContent = "";
    this.editor.markError(null);
    this.el.dataset.state = "idle";
  }
}

export function button(label: string, cls: string, onclick: () => void): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.className = cls;
  b.textContent = label;
  b.onclick = onclick;
  return b;
}

export function span(cls: string, text = ""): HTMLElement {
  const s = document.createElement("span");
  s.className = cls;
  s.textContent = text;
  return s;
}

function load(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function save(key: string, value: string | null) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    /* storage may be off; edits then live as long as the page */
  }
}

/** languageOf picks the editor's language: a file cell's by its name. */
export function languageOf(kind: string, attrs: Record<string, string>): string {
  if (kind === "go" || kind === "sql") return kind;
  if (kind === "file" && attrs.path?.endsWith(".go")) return "go";
  if (kind === "file" && attrs.path?.endsWith(".sql")) return "sql";
  return "";
}

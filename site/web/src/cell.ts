// A cell: an editor with a Run button, whose output and SQL log appear
// beneath it. Until it runs, it shows the output its lesson expects. A
// lesson page and embed.js both make cells of this one kind; what a
// notebook adds (steps, counters, staleness, catch up, rewind) it adds
// through the host and the methods below.

import type { Cell, Diagnostic, Result } from "./protocol";
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
  /** run runs the cell, perhaps after what is queued before it; without
   * it the cell runs at once (CellView.execute). */
  run?(cell: CellView): Promise<Result>;
  /** stop stops the cell that runs (and, on a notebook, what is queued). */
  stop?(cell: CellView): void;
  /** ran hears of every run, with its round trip in milliseconds. */
  ran?(cell: CellView, result: Result, ms: number): void;
}

export interface CellOptions {
  /** step is the cell's 1-based position in its lesson. */
  step?: number;
  /** scratch marks a reader's own cell: no lesson code, no expected output. */
  scratch?: boolean;
  /** placeholder is what an empty editor shows. */
  placeholder?: string;
}

export type CellState = "idle" | "queued" | "running" | "done" | "error";

export class CellView {
  readonly id: string;
  readonly kind: string;
  readonly attrs: Record<string, string>;
  readonly original: string;
  /** expectsError tells a cell the lesson shows failing on purpose. */
  readonly expectsError: boolean;
  readonly step?: number;
  readonly scratch: boolean;
  editor: CellEditor;
  /** tools holds the host's buttons, before Run. */
  readonly tools: HTMLElement;
  private output: HTMLElement;
  private sql: HTMLElement;
  private status: HTMLElement;
  private counterEl: HTMLElement;
  private staleNote: HTMLElement;
  private bannerEl: HTMLElement;
  private revert: HTMLButtonElement;
  private runBtn: HTMLButtonElement;
  private stopBtn: HTMLButtonElement;
  private storageKey: string;
  /** settled is the state before the cell was queued or started. */
  private settled: CellState = "idle";
  private settledStatus = "";

  constructor(
    readonly el: HTMLElement,
    private host: CellHost,
    opts: CellOptions = {},
  ) {
    this.id = el.dataset.id!;
    this.kind = el.dataset.kind!;
    this.attrs = JSON.parse(el.dataset.attrs || "{}");
    this.step = opts.step;
    this.scratch = opts.scratch ?? false;
    const pre = el.querySelector<HTMLElement>("pre.cell-source")!;
    this.original = pre.textContent!.replace(/\n$/, "");
    this.storageKey = host.storageKey(this.id);
    const saved = load(this.storageKey);

    const head = el.querySelector<HTMLElement>(".cell-head")!;
    if (this.step !== undefined) {
      el.dataset.step = String(this.step);
      const link = document.createElement("a");
      link.className = "cell-step";
      link.href = `#step-${this.step}`;
      link.textContent = `Step ${this.step}`;
      link.title = "A link to this step (the page scrolls to it and offers to catch up)";
      head.prepend(link);
    }
    // The talk's own numbering stays, as a second label beside the step.
    const from = head.querySelector<HTMLElement>(".cell-from");
    if (from && !from.textContent!.startsWith("talk")) from.textContent = `talk: ${from.textContent}`;
    this.counterEl = span("cell-counter");
    this.counterEl.title = "Runs since the workspace was reset: this is the one that made the output";
    this.status = span("cell-status");
    this.tools = span("cell-tools");
    this.runBtn = button("Run", "cell-run", () => void this.run());
    this.runBtn.title = "Run this cell (Shift+Enter)";
    this.stopBtn = button("Stop", "cell-stop", () => (this.host.stop ? this.host.stop(this) : this.host.kernel().stop()));
    this.stopBtn.title = "Stop this cell, as its time limit would";
    this.stopBtn.hidden = true;
    this.revert = button("Revert", "cell-revert", () => this.revertEdits());
    this.revert.title = "Put back the lesson's code";
    head.append(this.counterEl, this.status, this.revert, this.tools, this.runBtn, this.stopBtn);

    this.bannerEl = document.createElement("div");
    this.bannerEl.className = "cell-banner";
    this.bannerEl.hidden = true;
    const editorHost = document.createElement("div");
    editorHost.className = "cell-editor";
    pre.replaceWith(editorHost);
    editorHost.before(this.bannerEl);
    this.editor = createEditor({
      parent: editorHost,
      doc: saved ?? this.original,
      lang: languageOf(this.kind, this.attrs),
      placeholder: opts.placeholder,
      onRun: () => void this.run(),
      onChange: (doc) => this.edited(doc),
    });
    this.revert.hidden = this.scratch || saved === null || saved === this.original;

    // The expected blocks stay, labelled, until the cell runs live.
    const expected = document.createElement("div");
    expected.className = "cell-expected";
    const expOut = el.querySelector("pre.cell-expected-output");
    this.expectsError = /^error: /m.test(expOut?.textContent ?? "");
    const expSQL = el.querySelector("pre.cell-expected-sql");
    if (expOut) expected.append(span("cell-label", "Expected output"), expOut);
    if (expSQL) expected.append(span("cell-label", "Expected SQL"), expSQL);
    expected.hidden = !expOut && !expSQL;
    this.staleNote = document.createElement("div");
    this.staleNote.className = "cell-stale-note";
    this.staleNote.hidden = true;
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
    el.append(expected, this.staleNote, this.output, sqlBox);
    el.dataset.state = "idle";
  }

  /** source is the code in the editor. */
  get source(): string {
    return this.editor.text;
  }

  /** cell is what the kernel is asked to run. */
  cell(): Cell {
    const c: Cell = { id: this.id, kind: this.kind, source: this.source, attrs: this.attrs };
    if (this.step !== undefined) c.step = this.step;
    return c;
  }

  /** label names the cell for the reader: "step 3", or "a scratch cell". */
  get label(): string {
    return this.step !== undefined ? `step ${this.step}` : this.scratch ? "a scratch cell" : `cell ${this.id}`;
  }

  get state(): CellState {
    return this.el.dataset.state as CellState;
  }

  private edited(doc: string) {
    this.revert.hidden = this.scratch || doc === this.original;
    save(this.storageKey, doc === this.original ? null : doc);
  }

  private revertEdits() {
    this.editor.text = this.original;
    this.editor.markError(null);
  }

  /** forget drops the cell's saved edits (a scratch cell deleted). */
  forget() {
    save(this.storageKey, null);
  }

  /** run runs the cell through its host. */
  run(): Promise<Result> {
    return this.host.run ? this.host.run(this) : this.execute();
  }

  /** execute runs the cell now and shows the result. */
  async execute(cell: Cell = this.cell()): Promise<Result> {
    this.begin();
    this.editor.markError(null);
    const t0 = performance.now();
    const result = await this.host.kernel().run(cell);
    // The round trip as the reader feels it: message, run, reply, render.
    this.show(result);
    this.host.ran?.(this, result, performance.now() - t0);
    if (this.kind === "shell" || this.kind === "file") {
      // The picture is a help, never a reason for the run to fail.
      await this.showGraph().catch((e) => console.warn("migration graph:", e));
    }
    return result;
  }

  /** queue marks the cell as waiting for the cells before it. */
  queue() {
    this.hold();
    this.el.dataset.state = "queued";
    this.status.textContent = "queued";
    // The toolbar's Stop stops what waits; the cell offers nothing.
    this.runBtn.hidden = true;
    this.stopBtn.hidden = true;
  }

  /** unqueue puts back the state a queued cell had. */
  unqueue() {
    if (this.state !== "queued") return;
    this.el.dataset.state = this.settled;
    this.status.textContent = this.settledStatus;
    this.running(false);
  }

  private hold() {
    if (this.state !== "queued" && this.state !== "running") {
      this.settled = this.state;
      this.settledStatus = this.status.textContent ?? "";
    }
  }

  /** begin shows the cell running; the last output stays, dimmed. */
  begin() {
    this.hold();
    this.el.dataset.state = "running";
    this.status.textContent = !this.host.kernelReady()
      ? "waiting for the kernel…"
      : this.host.kernel().warming
        ? "waiting for the kernel's warm-up…"
        : "running…";
    this.running(true);
  }

  private running(on: boolean) {
    this.runBtn.hidden = on;
    this.stopBtn.hidden = !on;
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
    if (this.state === "running") this.status.textContent = text;
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
    const verb = r.error?.kind === "stopped" ? "stopped" : "failed";
    this.status.textContent = r.error ? `${verb} · ${r.durationMs.toFixed(1)} ms` : `ran in ${r.durationMs.toFixed(1)} ms`;
    this.el.dataset.state = r.error ? "error" : "done";
    this.running(false);
  }

  /** setCounter shows the run's execution count, as a notebook's In [n]. */
  setCounter(n: number | undefined, title?: string) {
    this.counterEl.textContent = n === undefined ? "" : `[${n}]`;
    if (title) this.counterEl.title = title;
  }

  /** setStale marks the output as no longer the workspace's, and why. */
  setStale(reason: string | null) {
    if (reason === null) {
      delete this.el.dataset.stale;
      this.staleNote.hidden = true;
      return;
    }
    this.el.dataset.stale = "yes";
    this.staleNote.hidden = false;
    this.staleNote.textContent = `Stale: ${reason}`;
  }

  /** hint adds a line under the cell's output (cleared by the next run). */
  hint(node: Node) {
    const box = document.createElement("div");
    box.className = "out-hint";
    box.append(node);
    this.output.append(box);
  }

  /** banner shows a message at the top of the cell, or removes it. */
  banner(node: Node | null) {
    this.bannerEl.replaceChildren();
    this.bannerEl.hidden = node === null;
    if (node) this.bannerEl.append(node);
  }

  /** showsOutput tells whether the cell shows a run's output. */
  get showsOutput(): boolean {
    return !this.output.hidden;
  }

  clear() {
    this.el.querySelector<HTMLElement>(".cell-expected")!.hidden = !this.el.querySelector(".cell-expected pre");
    this.output.hidden = true;
    this.sql.parentElement!.hidden = true;
    this.el.querySelector<HTMLElement>("details.cell-graph")?.setAttribute("hidden", "");
    this.status.textContent = "";
    this.setCounter(undefined);
    this.setStale(null);
    this.banner(null);
    this.editor.markError(null);
    this.el.dataset.state = "idle";
    this.running(false);
  }

  /** setStatus replaces the words beside the counter. */
  setStatus(text: string) {
    this.status.textContent = text;
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

export function load(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** save stores a value under key, or removes it for null; it reports
 * whether the browser kept it. */
export function save(key: string, value: string | null): boolean {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
    return true;
  } catch {
    return false; // storage may be off or full; edits then live as long as the page
  }
}

/** languageOf picks the editor's language: a file cell's by its name. */
export function languageOf(kind: string, attrs: Record<string, string>): string {
  if (kind === "go" || kind === "sql") return kind;
  if (kind === "file" && attrs.path?.endsWith(".go")) return "go";
  if (kind === "file" && attrs.path?.endsWith(".sql")) return "sql";
  return "";
}

// A lesson page: each cell becomes an editor with a Run button whose
// output and SQL log appear beneath it. The kernel loads in a worker while
// the reader reads; until it is ready, each cell shows the output the
// lesson expects.

import type { Diagnostic, Result } from "./protocol";
import { drawGraph } from "./graph";
import { Kernel } from "./kernel";
import { type CellEditor, createEditor } from "./editor";
import { renderOutput, renderSQL } from "./output";

interface PageConfig {
  lesson: string;
  worker: string;
  wasm: string;
  wasmSize: number;
  limitMs: number;
}

interface Timings {
  readyMs?: number;
  downloadMs?: number;
  compileMs?: number;
  warmupMs?: number;
  cells: Record<string, number>;
}

class CellView {
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

  constructor(readonly el: HTMLElement, private page: Page) {
    this.id = el.dataset.id!;
    this.kind = el.dataset.kind!;
    this.attrs = JSON.parse(el.dataset.attrs || "{}");
    const pre = el.querySelector<HTMLElement>("pre.cell-source")!;
    this.original = pre.textContent!.replace(/\n$/, "");
    this.storageKey = `crucible:${page.cfg.lesson}:${this.id}`;
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
    this.status.textContent = this.page.kernelReady ? "running…" : "waiting for the kernel…";
    this.editor.markError(null);
    const t0 = performance.now();
    const result = await this.page.kernel.run({ id: this.id, kind: this.kind, source: this.editor.text, attrs: this.attrs });
    // The round trip as the reader feels it: message, run, reply, render.
    this.show(result);
    this.page.timings.cells[this.id] = performance.now() - t0;
    this.page.results.push(result);
    if (this.kind === "shell" || this.kind === "file") {
      // The picture is a help, never a reason for the run to fail.
      await this.showGraph().catch((e) => console.warn("migration graph:", e));
    }
    return result;
  }

  /** showGraph draws the workspace's migration graph under the cell, when
   * there is a migrate project to draw. */
  async showGraph() {
    const reply = await this.page.kernel.request({ op: "graph" });
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

class Page {
  readonly kernel: Kernel;
  readonly cells: CellView[];
  readonly timings: Timings = { cells: {} };
  /** results are the last result of each cell run, in run order. */
  readonly results: Result[] = [];
  kernelReady = false;
  private statusText: HTMLElement;
  private bar: HTMLElement;

  constructor(readonly cfg: PageConfig) {
    const toolbar = document.createElement("div");
    toolbar.className = "toolbar";
    const progress = document.createElement("div");
    progress.className = "progress";
    this.bar = document.createElement("div");
    this.bar.className = "progress-bar";
    progress.append(this.bar);
    this.statusText = span("kernel-status", "Loading the kernel…");
    const runAll = button("Run all", "run-all", () => void this.runAll());
    const reset = button("Reset", "reset", () => void this.reset());
    reset.title = "Empty the workspace: files, databases and variables";
    const limit = span("limit", `cells stop after ${cfg.limitMs / 1000} s`);
    toolbar.append(progress, this.statusText, limit, runAll, reset);
    document.querySelector("main")!.prepend(toolbar);

    this.kernel = new Kernel(
      { workerUrl: cfg.worker, wasmUrl: cfg.wasm, wasmSize: cfg.wasmSize, limitMs: cfg.limitMs },
      {
        progress: (phase, loaded, total) => {
          const pct = Math.round((100 * loaded) / total);
          this.bar.style.width = `${phase === "compile" ? 100 : pct}%`;
          this.statusText.textContent =
            phase === "download" ? `Downloading the kernel… ${pct}% of ${(total / 1e6).toFixed(1)} MB` : "Compiling the kernel…";
        },
        ready: (t) => {
          this.kernelReady = true;
          this.bar.parentElement!.classList.add("done");
          if (!t.restart) {
            this.timings.readyMs = performance.now();
            this.timings.downloadMs = t.downloadMs;
            this.timings.compileMs = t.compileMs;
          }
          this.statusText.textContent = t.restart
            ? "Kernel restarted."
            : `Kernel ready in ${(performance.now() / 1000).toFixed(2)} s.`;
          document.body.dataset.kernel = "ready";
        },
        restarted: (reason) => {
          this.kernelReady = false;
          this.statusText.textContent = `Restarting the kernel (${reason})…`;
          document.body.dataset.kernel = "restarting";
        },
        warm: (ms) => {
          this.timings.warmupMs = ms;
          document.body.dataset.warm = "yes";
        },
        log: (text) => console.log("[kernel]", text),
      },
    );
    this.cells = [...document.querySelectorAll<HTMLElement>(".cell")].map((el) => new CellView(el, this));
    this.kernel.start().catch((e) => {
      this.statusText.textContent = `The kernel failed to load: ${(e as Error).message}`;
      document.body.dataset.kernel = "failed";
    });
  }

  /** runAll runs the cells in order and stops at the first that fails,
   * unless the lesson expects it to fail (it shows an error on purpose). */
  async runAll(): Promise<Result[]> {
    const results: Result[] = [];
    for (const c of this.cells) {
      const r = await c.run();
      results.push(r);
      if (r.error && !c.expectsError) break;
    }
    return results;
  }

  async reset() {
    await this.kernel.reset();
    for (const c of this.cells) c.clear();
    this.statusText.textContent = "Workspace reset.";
  }
}

function button(label: string, cls: string, onclick: () => void): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.className = cls;
  b.textContent = label;
  b.onclick = onclick;
  return b;
}

function span(cls: string, text = ""): HTMLElement {
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

// Keep the site for offline use once it has loaded (service workers need
// a secure origin; localhost is one).
if ("serviceWorker" in navigator && window.isSecureContext) {
  navigator.serviceWorker.register("sw.js").catch((e) => console.warn("offline copy unavailable:", e));
}

const configEl = document.getElementById("crucible-config");
if (configEl) {
  const cfg = JSON.parse(configEl.textContent!) as PageConfig;
  const limit = Number(new URLSearchParams(location.search).get("limit"));
  if (limit > 0) cfg.limitMs = limit;
  const page = new Page(cfg);
  (window as unknown as { crucible: unknown }).crucible = {
    page,
    ready: () => page.kernel.ready,
    runAll: () => page.runAll(),
    timings: page.timings,
  };
}

/** languageOf picks the editor's language: a file cell's by its name. */
function languageOf(kind: string, attrs: Record<string, string>): string {
  if (kind === "go" || kind === "sql") return kind;
  if (kind === "file" && attrs.path?.endsWith(".go")) return "go";
  if (kind === "file" && attrs.path?.endsWith(".sql")) return "sql";
  return "";
}

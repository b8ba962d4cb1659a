// A lesson page (or the blank scratch page): each cell becomes an editor
// with a Run button whose output and SQL log appear beneath it; the
// notebook (notebook.ts) gives the cells their semantics: steps,
// counters, staleness, Run all as restart and run all, catch up, stop,
// rewind, and a workspace rebuilt after a reload. The kernel loads in a
// worker while the reader reads; until it is ready, each cell shows the
// output the lesson expects.

import type { Result } from "./protocol";
import { button, type CellHost, CellView, span } from "./cell";
import { Kernel } from "./kernel";
import { frag, Notebook, plural, type Status, text } from "./notebook";
import { drawSchema } from "./schema";
import { newScratchId, placeholderOf, ScratchList, type ScratchSpec, scratchElement, scratchKinds } from "./scratch";
import { scrollToCell, stepRange, stepsOf, target, trackToolbar } from "./steps";

interface PageConfig {
  lesson: string;
  worker: string;
  wasm: string;
  wasmSize: number;
  limitMs: number;
  /** scratch: the page is the blank notebook, scratch cells only. */
  scratch?: boolean;
}

interface Timings {
  readyMs?: number;
  downloadMs?: number;
  compileMs?: number;
  warmupMs?: number;
  cells: Record<string, number>;
}

class Page implements CellHost {
  private readonly k: Kernel;
  readonly notebook: Notebook;
  private readonly views = new Map<HTMLElement, CellView>();
  readonly timings: Timings = { cells: {} };
  /** results are the last result of each cell run, in run order. */
  readonly results: Result[] = [];
  private ready = false;
  private statusText: HTMLElement;
  private bar: HTMLElement;
  private schema: HTMLDetailsElement;
  private stopAll: HTMLButtonElement;
  private snapshots: HTMLElement;
  private replayNote: HTMLElement;
  private notice: HTMLElement;
  private scratch: ScratchList;
  private readonly prefix: string;

  constructor(readonly cfg: PageConfig) {
    this.prefix = `crucible:${cfg.lesson}`;
    const toolbar = document.createElement("div");
    toolbar.className = "toolbar";
    const progress = document.createElement("div");
    progress.className = "progress";
    this.bar = document.createElement("div");
    this.bar.className = "progress-bar";
    progress.append(this.bar);
    this.statusText = span("kernel-status", "Loading the kernel…");
    this.statusText.setAttribute("role", "status");
    const runAll = button("Run all", "run-all", () => void this.runAll());
    runAll.title = "Restart and run all: reset the workspace (files, databases, declarations) and run every step from the top";
    this.stopAll = button("Stop", "stop-all", () => this.notebook.stop());
    this.stopAll.title = "Stop the cell that runs, as its time limit would, and what waits after it";
    this.stopAll.hidden = true;
    const reset = button("Reset", "reset", () => void this.notebook.resetAll());
    reset.title = "Empty the workspace: files, databases and declarations";
    const limit = span("limit", `cells stop after ${+(cfg.limitMs / 1000).toFixed(1)} s`);
    limit.title = "A cell that runs longer is stopped; Stop stops one sooner";
    this.snapshots = span("snapshots");
    this.snapshots.hidden = true;
    this.replayNote = span("replay-note", "");
    this.replayNote.hidden = true;
    // A line of what the toolbar does, then one of what it knows.
    const meta = document.createElement("div");
    meta.className = "toolbar-meta";
    toolbar.append(progress, this.statusText, runAll, this.stopAll, reset, meta);
    // The schema of the database the cells use, drawn when opened and
    // again after each cell while open.
    this.schema = document.createElement("details");
    this.schema.className = "schema-panel";
    this.schema.append(Object.assign(document.createElement("summary"), { textContent: "Schema" }));
    this.schema.addEventListener("toggle", () => {
      if (this.schema.open) void this.showSchema();
    });
    meta.append(limit, this.snapshots, this.replayNote, this.schema);
    const main = document.querySelector("main")!;
    main.prepend(toolbar);
    this.notice = document.createElement("div");
    this.notice.className = "page-notice";
    this.notice.setAttribute("role", "alert");
    this.notice.hidden = true;
    toolbar.after(this.notice);
    trackToolbar(toolbar);
    document.body.dataset.busy = "no";

    this.k = new Kernel(
      { workerUrl: cfg.worker, wasmUrl: cfg.wasm, wasmSize: cfg.wasmSize, limitMs: cfg.limitMs },
      {
        progress: (phase, loaded, total) => {
          const pct = Math.round((100 * loaded) / total);
          this.bar.style.width = `${phase === "compile" ? 100 : pct}%`;
          this.statusText.textContent =
            phase === "download" ? `Downloading the kernel… ${pct}% of ${(total / 1e6).toFixed(1)} MB` : "Compiling the kernel…";
        },
        ready: (t) => {
          this.ready = true;
          this.bar.parentElement!.classList.add("done");
          if (!t.restart) {
            this.timings.readyMs = performance.now();
            this.timings.downloadMs = t.downloadMs;
            this.timings.compileMs = t.compileMs;
            const n = this.notebook.replayable;
            this.statusText.textContent =
              `Kernel ready in ${(performance.now() / 1000).toFixed(2)} s.` +
              (n > 0 ? ` ${plural(n, "run")} from before the reload will be replayed when a cell first runs.` : "");
          } else this.statusText.textContent = "Kernel restarted.";
          document.body.dataset.kernel = "ready";
        },
        restarted: (reason) => {
          this.ready = false;
          this.notebook.kernelRestarted();
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
    this.notebook = new Notebook(this.k, () => this.cells, `crucible-notebook:${cfg.lesson}`, {
      status: (m, state) => this.status(m, state),
      busy: (on) => {
        this.stopAll.hidden = !on;
        runAll.disabled = on;
      },
      changed: () => {
        this.refreshTools();
        if (this.schema.open) void this.showSchema();
      },
    });

    const lessonCells = [...document.querySelectorAll<HTMLElement>(".cell")];
    const steps = stepsOf(lessonCells);
    for (const el of lessonCells) this.attach(new CellView(el, this, { step: steps.get(el) }));
    this.scratch = new ScratchList(`crucible-notebook:${cfg.lesson}:scratch`);
    if (cfg.scratch) (document.querySelector<HTMLElement>(".scratch-notebook") ?? main).append(this.adder(null, "end"));
    this.restoreScratch();
    if (cfg.scratch && this.cells.length === 0) this.addScratch("go", "end");
    this.notebook.refresh();
    this.refreshTools();

    window.addEventListener("hashchange", () => this.follow(location.hash));
    if (location.hash) requestAnimationFrame(() => this.follow(location.hash));
    this.k.start().catch((e) => {
      this.statusText.textContent = `The kernel failed to load: ${(e as Error).message}`;
      document.body.dataset.kernel = "failed";
    });
  }

  /** cells are the page's cells in page order, scratch cells included. */
  get cells(): CellView[] {
    return [...document.querySelectorAll<HTMLElement>(".cell")].map((el) => this.views.get(el)).filter((c): c is CellView => !!c);
  }

  kernel(): Kernel {
    return this.k;
  }

  kernelReady(): boolean {
    return this.ready;
  }

  storageKey(cellId: string): string {
    return `${this.prefix}:${cellId}`;
  }

  run(cell: CellView): Promise<Result> {
    return this.notebook.run(cell);
  }

  stop() {
    this.notebook.stop();
  }

  ran(cell: CellView, result: Result, ms: number) {
    this.timings.cells[cell.id] = ms;
    this.results.push(result);
  }

  runAll(): Promise<Result[]> {
    return this.notebook.runAll();
  }

  private status(m: Node, state: Status) {
    this.statusText.replaceChildren(m);
    this.statusText.dataset.state = state;
  }

  /** attach gives a cell the notebook's tools and a way to add a scratch
   * cell below it. */
  private attach(c: CellView) {
    this.views.set(c.el, c);
    const catchUp = button("Catch up", "cell-catch-up", () => void this.notebook.catchUp(c));
    const rewind = button("Rewind", "cell-rewind", () => void this.notebook.rewind(c));
    rewind.hidden = true;
    c.tools.append(catchUp, rewind);
    if (c.scratch) {
      const del = button("Delete", "cell-delete", () => this.deleteScratch(c));
      del.title = "Delete this scratch cell (what it did to the workspace stays)";
      c.tools.append(del);
    }
    c.el.after(this.adder(c, "below"));
  }

  /** refreshTools says on each cell what catch up would run and whether
   * its state is kept to rewind to. */
  private refreshTools() {
    const nb = this.notebook;
    for (const c of this.cells) {
      const catchUp = c.tools.querySelector<HTMLButtonElement>(".cell-catch-up")!;
      const above = nb.above(c);
      catchUp.hidden = above.length === 0;
      catchUp.title = `Run ${stepRange(above)}, then this cell`;
      const rewind = c.tools.querySelector<HTMLButtonElement>(".cell-rewind")!;
      const state = nb.rewindable(c);
      rewind.hidden = state === "none";
      rewind.classList.toggle("unavailable", state === "dropped");
      const snap = nb.kept.get(c.id);
      rewind.title =
        state === "kept"
          ? `Go back to the state after this cell's run [${snap!.counter}]: its databases, files and declarations`
          : `The state after ${c.label} is no longer kept: the oldest states are dropped past ${mb(nb.budget)}`;
    }
    this.replayNote.hidden = !nb.unsaved;
    this.replayNote.textContent = `the ${plural(nb.history.length, "run")} since the reset are too many to keep for a reload: Run all starts afresh`;
    if (nb.snapshotsSupported) {
      const n = nb.kept.size;
      this.snapshots.hidden = false;
      this.snapshots.textContent =
        n === 0
          ? `no states kept to rewind to yet (budget ${mb(nb.budget)})`
          : `${plural(n, "state")} kept to rewind to (${mb(nb.keptBytes())}; budget ${mb(nb.budget)})`;
      this.snapshots.title =
        "After each cell that succeeds the workspace is kept, so Rewind on that cell can go back to it; past the budget the oldest are dropped first";
    }
  }

  // ---- scratch cells

  /** adder offers a scratch cell of each kind, below a cell or at the end. */
  private adder(after: CellView | null, where: "below" | "end"): HTMLElement {
    const bar = document.createElement("div");
    bar.className = "scratch-add";
    bar.append(span("scratch-add-label", where === "end" ? "Add a cell:" : this.cfg.scratch ? "Add a cell below:" : "Add a scratch cell below:"));
    for (const [kind, label] of scratchKinds) {
      const b = button(`+ ${label}`, `scratch-add-${kind}`, () => {
        const c = this.addScratch(kind, where === "end" ? "end" : after);
        c.editor.view.focus();
      });
      bar.append(b);
    }
    return bar;
  }

  private addScratch(kind: string, after: CellView | null | "end", id = newScratchId()): CellView {
    const el = scratchElement({ id, kind, after: null });
    if (after === "end" || after === null) {
      const end = document.querySelector(".scratch-notebook > .scratch-add:last-child");
      if (end) end.before(el);
      else document.querySelector("main")!.append(el);
    } else {
      after.el.nextElementSibling!.after(el); // after the cell's own adder
    }
    const c = new CellView(el, this, { scratch: true, placeholder: placeholderOf(kind) });
    this.attach(c);
    this.saveScratch();
    this.notebook.refresh();
    this.refreshTools();
    return c;
  }

  private deleteScratch(c: CellView) {
    c.forget();
    const adder = c.el.nextElementSibling;
    if (adder?.classList.contains("scratch-add")) adder.remove();
    this.views.delete(c.el);
    c.el.remove();
    this.saveScratch();
    this.notebook.refresh();
    this.refreshTools();
  }

  /** saveScratch writes where the scratch cells are, in page order. */
  private saveScratch() {
    const list: ScratchSpec[] = [];
    let after: string | null = null;
    for (const c of this.cells) {
      if (c.scratch) list.push({ id: c.id, kind: c.kind, after });
      else after = c.id;
    }
    this.scratch.save(list);
  }

  private restoreScratch() {
    // Each goes after the last scratch cell put after the same lesson
    // cell, so the page order comes back.
    const lastAfter = new Map<string | null, CellView>();
    for (const s of this.scratch.load()) {
      const anchor = s.after === null ? null : this.cells.find((c) => c.id === s.after && !c.scratch);
      if (s.after !== null && !anchor) continue; // the lesson lost that cell
      const prev = lastAfter.get(s.after) ?? anchor;
      let c: CellView;
      if (prev) c = this.addScratch(s.kind, prev, s.id);
      else if (this.cfg.scratch) c = this.addScratch(s.kind, "end", s.id);
      else {
        const first = this.cells[0];
        c = this.addScratch(s.kind, "end", s.id);
        if (first) first.el.before(c.el, c.el.nextElementSibling!);
      }
      lastAfter.set(s.after, c);
    }
  }

  // ---- deep links

  /** follow scrolls to the cell an address names and offers to catch
   * up to it; an address naming no cell says so. */
  private follow(hash: string) {
    const t = target(hash, this.cells);
    if (!t) return;
    if ("missing" in t) {
      const steps = this.cells.filter((c) => c.step !== undefined).length;
      this.showNotice(
        `There is no ${t.missing} on this page` +
          (steps > 0 ? `: its steps are 1 to ${steps}.` : ".") +
          " Your edits and the workspace are as they were.",
      );
      return;
    }
    this.showNotice(null);
    const c = t.cell;
    for (const x of document.querySelectorAll(".cell-linked")) x.classList.remove("cell-linked");
    c.el.classList.add("cell-linked");
    const above = this.notebook.above(c);
    const dismiss = button("×", "cell-banner-close", () => c.banner(null));
    dismiss.title = "Dismiss";
    const go = button(above.length ? `Catch up: run ${stepRange(above)}, then this one` : `Run ${c.label}`, "cell-banner-catch-up", () => {
      c.banner(null);
      void this.notebook.catchUp(c);
    });
    c.banner(frag(text(`You followed a link to ${c.label}. `), go, dismiss));
    scrollToCell(c);
    // The editors settle their height a frame later.
    requestAnimationFrame(() => requestAnimationFrame(() => scrollToCell(c)));
  }

  private showNotice(message: string | null) {
    this.notice.hidden = message === null;
    this.notice.replaceChildren();
    if (message === null) return;
    const close = button("×", "page-notice-close", () => this.showNotice(null));
    close.title = "Dismiss";
    this.notice.append(text(message), close);
  }

  /** showSchema draws the current database's tables in the schema panel. */
  async showSchema() {
    const summary = this.schema.querySelector("summary")!;
    const reply = await this.k.request({ op: "schema" }).catch((e: Error) => ({ error: e.message, schema: undefined }));
    this.schema.querySelector(".schema-body")?.remove();
    const body = document.createElement("div");
    body.className = "schema-body";
    const s = reply.schema;
    if (reply.error || !s || s.tables.length === 0) {
      summary.textContent = "Schema";
      body.textContent = reply.error ?? "No tables yet: the cells have not created any.";
    } else {
      summary.textContent = `Schema of ${s.database} (${s.tables.length} ${s.tables.length === 1 ? "table" : "tables"})`;
      body.append(drawSchema(s));
    }
    this.schema.append(body);
    document.body.dataset.schema = String(s?.tables.length ?? 0);
  }
}

/** mb writes a size as the kernel counts its budget, in units of 2^20. */
function mb(bytes: number): string {
  if (bytes < 1 << 20) return `${Math.round(bytes / 1024)} kB`;
  return `${+(bytes / (1 << 20)).toFixed(1)} MB`;
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
    notebook: page.notebook,
    ready: () => page.kernel().ready,
    runAll: () => page.runAll(),
    timings: page.timings,
  };
}

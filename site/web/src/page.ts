// A lesson page: each cell becomes an editor with a Run button whose
// output and SQL log appear beneath it. The kernel loads in a worker while
// the reader reads; until it is ready, each cell shows the output the
// lesson expects.

import type { Result } from "./protocol";
import { button, type CellHost, CellView, span } from "./cell";
import { Kernel } from "./kernel";
import { drawSchema } from "./schema";

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

class Page implements CellHost {
  private readonly k: Kernel;
  readonly cells: CellView[];
  readonly timings: Timings = { cells: {} };
  /** results are the last result of each cell run, in run order. */
  readonly results: Result[] = [];
  private ready = false;
  private statusText: HTMLElement;
  private bar: HTMLElement;
  private schema: HTMLDetailsElement;

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
    // The schema of the database the cells use, drawn when opened and
    // again after each cell while open.
    this.schema = document.createElement("details");
    this.schema.className = "schema-panel";
    this.schema.append(Object.assign(document.createElement("summary"), { textContent: "Schema" }));
    this.schema.addEventListener("toggle", () => {
      if (this.schema.open) void this.showSchema();
    });
    toolbar.append(this.schema);
    document.querySelector("main")!.prepend(toolbar);

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
          }
          this.statusText.textContent = t.restart
            ? "Kernel restarted."
            : `Kernel ready in ${(performance.now() / 1000).toFixed(2)} s.`;
          document.body.dataset.kernel = "ready";
        },
        restarted: (reason) => {
          this.ready = false;
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
    this.k.start().catch((e) => {
      this.statusText.textContent = `The kernel failed to load: ${(e as Error).message}`;
      document.body.dataset.kernel = "failed";
    });
  }

  kernel(): Kernel {
    return this.k;
  }

  kernelReady(): boolean {
    return this.ready;
  }

  storageKey(cellId: string): string {
    return `crucible:${this.cfg.lesson}:${cellId}`;
  }

  ran(cell: CellView, result: Result, ms: number) {
    this.timings.cells[cell.id] = ms;
    this.results.push(result);
    if (this.schema.open) void this.showSchema();
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
    await this.k.reset();
    for (const c of this.cells) c.clear();
    this.statusText.textContent = "Workspace reset.";
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
    ready: () => page.kernel().ready,
    runAll: () => page.runAll(),
    timings: page.timings,
  };
}


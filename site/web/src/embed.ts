// embed.js: runnable cells in anyone's page. Load it with
//
//	<script src="https://HOST/embed.js" defer></script>
//
// and each <pre data-crucible="go"> (or "sql", "shell", "file" with
// data-crucible-path; data-crucible-db picks a sql cell's database)
// becomes a cell: an editor, a Run button, the output
// and the SQL log. A <pre data-crucible-output> right after one is the
// output shown until the cell runs. Every cell of a page shares one
// kernel, started when a cell first runs, so a page that is only read
// downloads nothing. A cell that runs past its limit (10 s, or the
// script tag's data-limit-ms), or that the reader stops, restarts the
// kernel, keeping the files and databases. data-preload on the script tag starts the kernel as the
// page loads instead.

import { type CellHost, CellView, span } from "./cell";
import { Kernel } from "./kernel";

/** The build writes what embed.js loads, by the names it gave them. */
declare const __CRUCIBLE_EMBED__: { worker: string; wasm: string; wasmSize: number; style: string; limitMs: number };
const cfg = __CRUCIBLE_EMBED__;

// Everything embed.js loads sits beside it, wherever the page is.
const script = document.currentScript as HTMLScriptElement | null;
const base = new URL(".", script?.src || location.href);
// data-limit-ms on the script tag changes how long a cell may run.
const limitMs = Number(script?.dataset.limitMs) || cfg.limitMs;

class EmbedHost implements CellHost {
  readonly cells: CellView[] = [];
  private k?: Kernel;
  private ready = false;

  kernel(): Kernel {
    if (this.k) return this.k;
    const k = new Kernel(
      {
        workerUrl: new URL(cfg.worker, base).href,
        wasmUrl: new URL(cfg.wasm, base).href,
        wasmSize: cfg.wasmSize,
        limitMs,
        keepWorkspace: true,
      },
      {
        progress: (phase, loaded, total) =>
          this.note(
            phase === "download"
              ? `downloading the kernel… ${Math.round((100 * loaded) / total)}% of ${(total / 1e6).toFixed(1)} MB`
              : "compiling the kernel…",
          ),
        ready: () => {
          this.ready = true;
          document.documentElement.dataset.crucible = "ready";
        },
        restarted: (reason) => {
          this.ready = false;
          this.note(`restarting the kernel (${reason})…`);
        },
        log: (text) => console.log("[crucible]", text),
      },
    );
    this.k = k;
    k.start().catch((e) => {
      this.note(`the kernel failed to load: ${(e as Error).message}`);
      document.documentElement.dataset.crucible = "failed";
    });
    return k;
  }

  kernelReady(): boolean {
    return this.ready;
  }

  storageKey(cellId: string): string {
    return `crucible-embed:${location.pathname}:${cellId}`;
  }

  private note(text: string) {
    for (const c of this.cells) c.note(text);
  }
}

/** cellFrom turns a <pre data-crucible> into the markup of a cell. */
function cellFrom(pre: HTMLElement, n: number): HTMLElement {
  const kind = pre.dataset.crucible || "go";
  // data-crucible-path="x.go", data-crucible-db="app.sqlite",
  // data-crucible-now=...: the cell's attributes, as in a lesson.
  const attrs: Record<string, string> = {};
  for (const [key, value] of Object.entries(pre.dataset)) {
    const m = /^crucible([A-Z]\w*)$/.exec(key);
    if (m && m[1] !== "Id" && value !== undefined) attrs[m[1].toLowerCase()] = value;
  }
  const el = document.createElement("div");
  el.className = "cell";
  el.dataset.id = pre.dataset.crucibleId || pre.id || `cell-${n}`;
  el.dataset.kind = kind;
  el.dataset.attrs = JSON.stringify(attrs);
  const head = document.createElement("div");
  head.className = "cell-head";
  head.append(span("cell-kind", kind));
  if (attrs.path) head.append(span("cell-path", attrs.path));
  const source = document.createElement("pre");
  source.className = "cell-source";
  source.textContent = (pre.textContent ?? "").replace(/^\n/, "");
  el.append(head, source);
  const next = pre.nextElementSibling as HTMLElement | null;
  if (next?.matches("pre[data-crucible-output]")) {
    const expected = document.createElement("pre");
    expected.className = "cell-expected-output";
    expected.textContent = next.textContent;
    el.append(expected);
    next.remove();
  }
  pre.replaceWith(el);
  return el;
}

function embed() {
  const blocks = [...document.querySelectorAll<HTMLElement>("pre[data-crucible]")];
  if (blocks.length === 0) return;
  const style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = new URL(cfg.style, base).href;
  document.head.append(style);
  const host = new EmbedHost();
  blocks.forEach((pre, i) => host.cells.push(new CellView(cellFrom(pre, i + 1), host)));
  // data-preload on the script tag starts the kernel at once, for pages
  // whose readers will run the cells (a workshop's).
  if (script?.hasAttribute("data-preload")) host.kernel();
  (window as unknown as { crucibleEmbed: unknown }).crucibleEmbed = { host };
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", embed);
else embed();

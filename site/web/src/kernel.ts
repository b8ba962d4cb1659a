// The page's handle on the kernel worker: requests in order, one at a
// time; a time limit per cell, which the kernel applies itself, and a
// hard stop a little past it (and on the reader's Stop) that terminates
// the worker and starts a new one. What the new one is given is the
// host's choice: embed.js has it import the workspace as the last run
// left it; a lesson page replays its cells (notebook.ts).

import type { Cell, FromWorker, Reply, Request, Result, ToWorker } from "./protocol";

export interface KernelConfig {
  workerUrl: string;
  wasmUrl: string;
  wasmSize: number;
  /** The limit on one cell, in milliseconds: the kernel stops a cell
   * there. The worker is terminated hardGraceMs later if it has not. */
  limitMs: number;
  /** keepWorkspace: export the workspace after each run that changed a
   * file and import it into the worker that replaces a stopped one. */
  keepWorkspace?: boolean;
}

export interface KernelEvents {
  progress?(phase: "download" | "compile", loaded: number, total: number): void;
  ready?(timings: { downloadMs: number; compileMs: number; totalMs: number; restart: boolean }): void;
  restarted?(reason: string): void;
  warm?(ms: number): void;
  log?(text: string): void;
}

interface Pending {
  request: string;
  resolve(r: Reply): void;
  reject(e: Error): void;
}

/** hardLimit is when the page gives up on a cell the kernel did not stop
 * at its limit: the kernel needs a moment to unwind and reply. */
export function hardLimit(limitMs: number): number {
  return limitMs + Math.max(1500, Math.round(limitMs / 5));
}

export class Kernel {
  private worker?: Worker;
  private module?: WebAssembly.Module;
  private readyPromise!: Promise<void>;
  private resolveReady!: () => void;
  private rejectReady!: (e: Error) => void;
  private queue: Promise<unknown> = Promise.resolve();
  private pending = new Map<number, Pending>();
  private nextId = 1;
  private snapshot: Record<string, string> = {};
  private snapshotCurrent = "";
  private started = 0;
  /** restoring settles when a restarted worker has what it is given. */
  private restoring: Promise<void> = Promise.resolve();
  private inflight?: { op: string; since: number; stop(e: Error): void };
  /** stops counts Stops: a request that waited through one is not sent. */
  private stops = 0;
  private loaded = false;
  /** warming is true while the first warm-up runs: requests wait for it. */
  warming = false;

  constructor(
    private cfg: KernelConfig,
    private events: KernelEvents = {},
  ) {}

  /** ready resolves when the module is loaded and initialised. */
  get ready(): Promise<void> {
    return this.readyPromise;
  }

  get limitMs(): number {
    return this.cfg.limitMs;
  }

  /** isReady tells whether a worker is loaded and answering. */
  get isReady(): boolean {
    return this.loaded;
  }

  /** running is the op of the request in flight, if any. */
  get running(): string | undefined {
    return this.inflight?.op;
  }

  start(): Promise<void> {
    this.readyPromise = new Promise((res, rej) => {
      this.resolveReady = res;
      this.rejectReady = rej;
    });
    this.readyPromise.catch(() => {});
    this.loaded = false;
    this.started = performance.now();
    const w = newWorker(this.cfg.workerUrl);
    this.worker = w;
    w.onmessage = (e: MessageEvent<FromWorker>) => this.onMessage(w, e.data);
    w.onerror = (e) => this.rejectReady(new Error(e.message || "the kernel worker failed to start"));
    const msg: ToWorker = { type: "load", url: this.cfg.wasmUrl, size: this.cfg.wasmSize, module: this.module };
    w.postMessage(msg);
    return this.readyPromise;
  }

  private onMessage(w: Worker, m: FromWorker) {
    if (w !== this.worker) return; // a terminated worker's last words
    switch (m.type) {
      case "progress":
        this.events.progress?.(m.phase, m.loaded, m.total);
        break;
      case "ready": {
        const restart = this.module !== undefined;
        this.module = m.module;
        this.loaded = true;
        this.events.ready?.({
          downloadMs: m.downloadMs,
          compileMs: m.compileMs,
          totalMs: performance.now() - this.started,
          restart,
        });
        this.resolveReady();
        // Compile the code paths a first cell takes while the reader
        // reads; the compiled code outlives a restart.
        if (!restart) {
          const t0 = performance.now();
          this.warming = true;
          this.request({ op: "warmup" })
            .then(() => this.events.warm?.(performance.now() - t0))
            .catch(() => {}) // a stopped warm-up is no one's failure
            .finally(() => (this.warming = false));
        }
        break;
      }
      case "reply": {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.resolve(JSON.parse(m.reply) as Reply);
        break;
      }
      case "crash": {
        this.rejectReady(new Error(m.message));
        const running = this.pending.size > 0;
        for (const [id, p] of this.pending) {
          this.pending.delete(id);
          p.reject(new CrashError(m.message));
        }
        // A crash while loading is reported, not retried in a loop.
        if (running) void this.restart(`the kernel crashed: ${m.message}`);
        break;
      }
      case "log":
        this.events.log?.(m.text);
        break;
    }
  }

  /** request sends one request after those before it have been answered. */
  request(req: Request, limitMs = 0): Promise<Reply> {
    const next = this.queue.then(() => this.send(req, limitMs));
    this.queue = next.catch(() => {});
    return next;
  }

  /** stop ends the request in flight as its time limit would: the worker
   * is terminated and a new one started; requests waiting for the worker
   * to load are not sent. It returns whether one was in flight. */
  stop(): boolean {
    this.stops++;
    if (!this.inflight) return false;
    this.inflight.stop(new StoppedError("stop", performance.now() - this.inflight.since));
    return true;
  }

  private async send(req: Request, limitMs: number, internal = false): Promise<Reply> {
    const stops = this.stops;
    if (!internal) await this.restoring;
    await this.readyPromise;
    if (!internal && stops !== this.stops && req.op === "run") throw new NotSentError();
    const id = this.nextId++;
    const request = JSON.stringify(req);
    const reply = new Promise<Reply>((resolve, reject) => this.pending.set(id, { request, resolve, reject }));
    this.worker!.postMessage({ type: "call", id, request } satisfies ToWorker);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const since = performance.now();
    const stop = new Promise<never>((_, reject) => {
      if (limitMs > 0) timer = setTimeout(() => reject(new StoppedError("limit", performance.now() - since, limitMs)), limitMs);
      if (!internal) this.inflight = { op: req.op, since, stop: reject };
    });
    try {
      return await Promise.race([reply, stop]);
    } catch (e) {
      if (e instanceof StoppedError) {
        this.pending.delete(id);
        this.inflight = undefined;
        await this.restart(e.message);
      }
      throw e;
    } finally {
      clearTimeout(timer);
      if (!internal) this.inflight = undefined;
    }
  }

  /** restart ends the worker and starts a new one; with keepWorkspace it
   * imports the workspace the last run left. */
  private restart(reason: string): Promise<void> {
    this.worker?.terminate();
    this.worker = undefined;
    this.events.restarted?.(reason);
    const p = (async () => {
      await this.start();
      if (this.cfg.keepWorkspace && Object.keys(this.snapshot).length > 0) {
        await this.send({ op: "import", files: this.snapshot, current: this.snapshotCurrent }, 0, true);
      }
    })();
    this.restoring = p.catch(() => {});
    return p;
  }

  /** run runs a cell; a stopped or crashed cell resolves to an error
   * result, whose message says the kernel was restarted. */
  async run(cell: Cell): Promise<Result> {
    try {
      const reply = await this.request({ op: "run", cell, timeoutMs: this.cfg.limitMs }, hardLimit(this.cfg.limitMs));
      if (reply.error) throw new Error(reply.error);
      const result = reply.result!;
      if (this.cfg.keepWorkspace && result.files && result.files.length > 0) await this.takeSnapshot();
      return result;
    } catch (e) {
      if (e instanceof NotSentError) {
        return { id: cell.id, stdout: "", sql: [], durationMs: 0, notRun: true, error: { kind: "stopped", message: "not run: stopped before it began", pos: { line: 0, col: 0 } } };
      }
      const secs = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${+(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`);
      const kept = this.cfg.keepWorkspace
        ? "; the kernel was restarted with your files and databases as they were before this cell; variables from earlier cells are gone, so run them again"
        : "; the kernel was restarted";
      let kind = "crash";
      let message = `${(e as Error).message}${kept}`;
      let durationMs = 0;
      if (e instanceof StoppedError) {
        durationMs = e.ms;
        kind = e.why === "stop" ? "stopped" : "timeout";
        message =
          e.why === "stop"
            ? `stopped after ${secs(e.ms)}, as you asked${kept}`
            : `stopped after ${secs(this.cfg.limitMs)}: the cell did not yield at its limit${kept}`;
      } else if (e instanceof CrashError) {
        // A trap is what the Go runtime's fatal errors (out of memory
        // first among them) look like from outside.
        const trap = /unreachable/.test(e.message) ? ", a WebAssembly trap: the cell may have used up the memory" : "";
        message = `the kernel crashed (${e.message}${trap})${kept}`;
      }
      return { id: cell.id, stdout: "", sql: [], durationMs, restarted: true, error: { kind, message, pos: { line: 0, col: 0 } } };
    }
  }

  private async takeSnapshot() {
    const reply = await this.request({ op: "export" });
    if (!reply.error && reply.all) {
      this.snapshot = reply.all;
      this.snapshotCurrent = reply.current ?? "";
    }
  }

  async reset(): Promise<void> {
    this.snapshot = {};
    this.snapshotCurrent = "";
    const reply = await this.request({ op: "reset" });
    if (reply.error) throw new Error(reply.error);
  }
}

/**
 * newWorker starts the worker script at url. A page may only start a
 * worker from its own origin; for a page that embeds cells from another
 * (embed.js), a worker made from a same-origin blob loads the script,
 * which classic workers may do across origins.
 */
function newWorker(url: string): Worker {
  const abs = new URL(url, location.href);
  if (abs.origin === location.origin) return new Worker(abs.href);
  let stub = stubs.get(abs.href);
  if (!stub) {
    // One stub per script, kept: a restarted kernel starts from it again.
    stub = URL.createObjectURL(new Blob([`importScripts(${JSON.stringify(abs.href)});`], { type: "text/javascript" }));
    stubs.set(abs.href, stub);
  }
  return new Worker(stub);
}

const stubs = new Map<string, string>();

/** StoppedError ends a request the reader stopped or that ran past the
 * hard limit. */
export class StoppedError extends Error {
  constructor(
    readonly why: "stop" | "limit",
    readonly ms: number,
    limitMs = 0,
  ) {
    super(why === "stop" ? "stopped" : `the cell ran longer than ${limitMs / 1000} s`);
  }
}

class CrashError extends Error {}

/** NotSentError ends a run the reader stopped while it waited. */
class NotSentError extends Error {}

// The page's handle on the kernel worker: requests in order, one at a
// time; a time limit per cell past which the worker is terminated and a
// new one started; and the workspace snapshot that new one is given, so a
// stopped cell loses nothing but the interpreter's variables.

import type { Cell, FromWorker, Reply, Request, Result, ToWorker } from "./protocol";

export interface KernelConfig {
  workerUrl: string;
  wasmUrl: string;
  wasmSize: number;
  /** The hard limit on one request, in milliseconds. */
  limitMs: number;
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
  /** warming is true while the first warm-up runs: requests wait for it. */
  warming = false;

  constructor(private cfg: KernelConfig, private events: KernelEvents = {}) {}

  /** ready resolves when the module is loaded and initialised. */
  get ready(): Promise<void> {
    return this.readyPromise;
  }

  get limitMs(): number {
    return this.cfg.limitMs;
  }

  start(): Promise<void> {
    this.readyPromise = new Promise((res, rej) => {
      this.resolveReady = res;
      this.rejectReady = rej;
    });
    this.readyPromise.catch(() => {});
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
          p.reject(new Error(m.message));
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

  private async send(req: Request, limitMs: number): Promise<Reply> {
    await this.readyPromise;
    const id = this.nextId++;
    const request = JSON.stringify(req);
    const reply = new Promise<Reply>((resolve, reject) => this.pending.set(id, { request, resolve, reject }));
    this.worker!.postMessage({ type: "call", id, request } satisfies ToWorker);
    if (limitMs <= 0) return reply;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StoppedError(limitMs)), limitMs);
    });
    try {
      return await Promise.race([reply, stop]);
    } catch (e) {
      if (e instanceof StoppedError) {
        this.pending.delete(id);
        await this.restart(e.message);
      }
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** restart ends the worker and starts a new one holding the snapshot. */
  private async restart(reason: string) {
    this.worker?.terminate();
    this.worker = undefined;
    this.events.restarted?.(reason);
    await this.start();
    if (Object.keys(this.snapshot).length > 0) {
      await this.send({ op: "import", files: this.snapshot, current: this.snapshotCurrent }, 0);
    }
  }

  /** run runs a cell; a stopped or crashed cell resolves to an error result. */
  async run(cell: Cell): Promise<Result> {
    try {
      // The kernel stops Go code itself a little before the hard limit,
      // keeping the interpreter and its variables.
      const soft = Math.max(100, this.cfg.limitMs - 1000);
      const reply = await this.request({ op: "run", cell, timeoutMs: soft }, this.cfg.limitMs);
      if (reply.error) throw new Error(reply.error);
      const result = reply.result!;
      if (result.files && result.files.length > 0) await this.takeSnapshot();
      return result;
    } catch (e) {
      const stopped = e instanceof StoppedError;
      return {
        id: cell.id,
        stdout: "",
        sql: [],
        durationMs: stopped ? this.cfg.limitMs : 0,
        error: {
          kind: stopped ? "timeout" : "crash",
          message: stopped
            ? `stopped after ${this.cfg.limitMs / 1000} s: the kernel was restarted with your files and databases as they were before this cell; variables from earlier cells are gone, so run them again`
            : `${(e as Error).message}; the kernel was restarted with your files and databases`,
          pos: { line: 0, col: 0 },
        },
      };
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

export class StoppedError extends Error {
  constructor(limitMs: number) {
    super(`the cell ran longer than ${limitMs / 1000} s`);
  }
}

// The Web Worker that hosts the kernel module: it downloads and compiles
// the module (reporting progress), then answers the page's requests one at
// a time through the module's JSON ABI. The page terminates it to stop a
// runaway cell; the compiled module survives in the page for the next one.

import type { FromWorker, ToWorker } from "./protocol";
import { completeImports, ProcExit, wasiImports } from "./wasi";

interface KernelExports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  alloc(n: number): number;
  free(p: number): void;
  call(p: number, n: number): bigint;
}

let kernel: KernelExports | undefined;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const post = (m: FromWorker) => (self as unknown as Worker).postMessage(m);

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  try {
    if (m.type === "load") await load(m.url, m.size, m.module);
    else if (m.type === "call") post({ type: "reply", id: m.id, reply: call(m.request) });
  } catch (err) {
    const message = err instanceof ProcExit ? err.message : String((err as Error)?.message ?? err);
    post({ type: "crash", message });
  }
};

/**
 * compile downloads and compiles the module at once (the browser compiles
 * while the bytes arrive), reporting the download's progress.
 */
async function compile(url: string, size: number): Promise<{ module: WebAssembly.Module; downloadMs: number }> {
  const t0 = performance.now();
  const resp = await fetch(url);
  if (!resp.ok || !resp.body) throw new Error(`downloading ${url}: ${resp.status} ${resp.statusText}`);
  let loaded = 0;
  let reported = 0;
  let downloadMs = 0;
  const counted = resp.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, out) {
        loaded += chunk.length;
        if (loaded - reported > size / 100) {
          reported = loaded;
          post({ type: "progress", phase: "download", loaded: Math.min(loaded, size), total: size });
        }
        out.enqueue(chunk);
      },
      flush() {
        downloadMs = performance.now() - t0;
        post({ type: "progress", phase: "compile", loaded: size, total: size });
      },
    }),
  );
  const module = await WebAssembly.compileStreaming(new Response(counted, { headers: { "Content-Type": "application/wasm" } }));
  return { module, downloadMs };
}

async function load(url: string, size: number, module?: WebAssembly.Module) {
  let downloadMs = 0;
  const t0 = performance.now();
  if (!module) ({ module, downloadMs } = await compile(url, size));
  let memory: WebAssembly.Memory | undefined;
  const wasi = wasiImports(() => memory!, {
    write: (_fd, text) => post({ type: "log", text }),
  });
  const filled = completeImports(module, wasi);
  if (filled.length > 0) post({ type: "log", text: `WASI functions answered ENOSYS: ${filled.join(", ")}\n` });
  const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi });
  kernel = instance.exports as unknown as KernelExports;
  memory = kernel.memory;
  kernel._initialize();
  post({ type: "ready", module, downloadMs, compileMs: performance.now() - t0 - downloadMs });
}

function call(request: string): string {
  if (!kernel) throw new Error("the kernel is not loaded");
  const k = kernel;
  const req = encoder.encode(request);
  const p = k.alloc(req.length) >>> 0;
  new Uint8Array(k.memory.buffer, p, req.length).set(req);
  const packed = k.call(p, req.length);
  const rp = Number(packed >> 32n) >>> 0;
  const n = Number(packed & 0xffffffffn);
  const reply = decoder.decode(new Uint8Array(k.memory.buffer, rp, n));
  k.free(p);
  k.free(rp);
  return reply;
}

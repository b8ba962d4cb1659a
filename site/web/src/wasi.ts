// A small WASI (snapshot preview 1) for the kernel module: what Go's
// wasip1 runtime asks of its host, and no file system. The kernel keeps its
// files in memory, so every path call answers "no such file".

const ESUCCESS = 0;
const EBADF = 8;
const EINVAL = 28;
const ENOENT = 44;
const ENOSYS = 52;

/** ProcExit is thrown when the module calls proc_exit (a Go fatal error). */
export class ProcExit extends Error {
  constructor(public code: number) {
    super(`the kernel exited with code ${code}`);
  }
}

export interface WASIOptions {
  /** Receives what the module writes to stdout and stderr. */
  write?: (fd: number, text: string) => void;
}

/** completeImports answers ENOSYS for any WASI function the module
 * imports that these do not define, so that code the kernel links but the
 * page never runs (the native command line's file system calls) does not
 * stop the module from loading. It returns the names it filled in. */
export function completeImports(module: WebAssembly.Module, imports: Record<string, (...args: never[]) => unknown>): string[] {
  const filled: string[] = [];
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module === "wasi_snapshot_preview1" && imp.kind === "function" && !(imp.name in imports)) {
      imports[imp.name] = () => ENOSYS;
      filled.push(imp.name);
    }
  }
  return filled;
}

export function wasiImports(getMemory: () => WebAssembly.Memory, opts: WASIOptions = {}) {
  const view = () => new DataView(getMemory().buffer);
  const bytes = () => new Uint8Array(getMemory().buffer);
  const decoder = new TextDecoder();
  const now = () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
  const mono = () => BigInt(Math.round(performance.now() * 1e6));

  const sizesGet = (countPtr: number, sizePtr: number) => {
    view().setUint32(countPtr, 0, true);
    view().setUint32(sizePtr, 0, true);
    return ESUCCESS;
  };

  return {
    args_get: () => ESUCCESS,
    args_sizes_get: sizesGet,
    environ_get: () => ESUCCESS,
    environ_sizes_get: sizesGet,
    clock_res_get: (_id: number, resPtr: number) => {
      view().setBigUint64(resPtr, 1000n, true);
      return ESUCCESS;
    },
    clock_time_get: (id: number, _precision: bigint, timePtr: number) => {
      view().setBigUint64(timePtr, id === 0 ? now() : mono(), true);
      return ESUCCESS;
    },
    fd_write: (fd: number, iovs: number, iovsLen: number, nwrittenPtr: number) => {
      const v = view();
      let written = 0;
      let text = "";
      for (let i = 0; i < iovsLen; i++) {
        const ptr = v.getUint32(iovs + i * 8, true);
        const len = v.getUint32(iovs + i * 8 + 4, true);
        text += decoder.decode(bytes().subarray(ptr, ptr + len));
        written += len;
      }
      if (fd === 1 || fd === 2) opts.write?.(fd, text);
      else return EBADF;
      v.setUint32(nwrittenPtr, written, true);
      return ESUCCESS;
    },
    random_get: (ptr: number, len: number) => {
      // getRandomValues fills at most 65536 bytes per call.
      for (let off = 0; off < len; off += 65536) {
        crypto.getRandomValues(bytes().subarray(ptr + off, ptr + Math.min(len, off + 65536)));
      }
      return ESUCCESS;
    },
    // Go calls poll_oneoff when every goroutine waits on a timer (a
    // time.Sleep in a cell). A worker may block, so wait out the earliest
    // clock subscription and report it fired.
    poll_oneoff: (inPtr: number, outPtr: number, nsubs: number, neventsPtr: number) => {
      const v = view();
      let wait = Infinity;
      let fired = -1;
      for (let i = 0; i < nsubs; i++) {
        const sub = inPtr + i * 48;
        if (v.getUint8(sub + 8) !== 0) continue; // not a clock
        const timeout = Number(v.getBigUint64(sub + 24, true)) / 1e6;
        const absolute = (v.getUint16(sub + 40, true) & 1) === 1;
        const ms = absolute ? timeout - performance.now() : timeout;
        if (ms < wait) {
          wait = ms;
          fired = i;
        }
      }
      if (fired < 0) return ENOSYS;
      const until = performance.now() + Math.max(0, wait);
      while (performance.now() < until) {
        /* a worker's thread is its own to block */
      }
      const sub = inPtr + fired * 48;
      v.setBigUint64(outPtr, v.getBigUint64(sub, true), true); // userdata
      v.setUint16(outPtr + 8, 0, true); // error
      v.setUint8(outPtr + 10, 0); // type: clock
      v.setUint32(neventsPtr, 1, true);
      return ESUCCESS;
    },
    proc_exit: (code: number) => {
      throw new ProcExit(code);
    },
    sched_yield: () => ESUCCESS,
    fd_close: () => EBADF,
    fd_fdstat_get: (fd: number, statPtr: number) => {
      if (fd > 2) return EBADF;
      const v = view();
      v.setUint8(statPtr, 2); // character device
      v.setUint16(statPtr + 2, 0, true);
      v.setBigUint64(statPtr + 8, 0n, true);
      v.setBigUint64(statPtr + 16, 0n, true);
      return ESUCCESS;
    },
    fd_fdstat_set_flags: () => ESUCCESS,
    fd_prestat_get: () => EBADF,
    fd_prestat_dir_name: () => EINVAL,
    fd_filestat_get: () => EBADF,
    fd_filestat_set_size: () => EBADF,
    fd_pread: () => EBADF,
    fd_pwrite: () => EBADF,
    fd_read: () => EBADF,
    fd_readdir: () => EBADF,
    fd_seek: () => EBADF,
    fd_sync: () => EBADF,
    path_filestat_get: () => ENOENT,
    path_open: () => ENOENT,
    path_readlink: () => ENOENT,
    path_remove_directory: () => ENOENT,
    path_unlink_file: () => ENOENT,
    path_create_directory: () => ENOENT,
    path_rename: () => ENOENT,
    path_symlink: () => ENOENT,
    path_link: () => ENOENT,
    path_filestat_set_times: () => ENOENT,
    fd_filestat_set_times: () => EBADF,
    sock_accept: () => ENOSYS,
    sock_shutdown: () => ENOSYS,
  };
}

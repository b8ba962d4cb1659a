// The notebook semantics of a page of cells, kept so a reader cannot
// break them: run again, run out of order, restart and run all, catch
// up, stop, rewind, reload.
//
// The kernel owns the workspace; the page keeps what it was told: the
// runs since the last reset, in order (the history), each with the source
// that ran. From that it shows each cell's execution counter and whether
// its output is stale, plans a catch-up (continue, rewind to a kept
// state, or reset and run from the top), and rebuilds the workspace in a
// new worker (after Stop, the hard limit, a crash or a reload) by
// replaying the history. The history is saved with the edits, so a reload
// replays it before the first cell runs.

import { button, type CellView, load, save } from "./cell";
import { scanDeclarations, undefinedName } from "./declares";
import type { Kernel } from "./kernel";
import type { Cell, Result, SnapshotInfo } from "./protocol";
import { scrollToCell, stepRange } from "./steps";

/** A run is one cell run since the last reset, as the kernel saw it. */
export interface Run {
  id: string;
  kind: string;
  source: string;
  attrs?: Record<string, string>;
  step?: number;
  /** counter is the kernel's execution count for the run. */
  counter: number;
  /** ok: no error, or the error its lesson shows on purpose. */
  ok: boolean;
  error?: string;
  /** replay: running it again rebuilds what it did (not a cell the
   * kernel stopped at its time limit: it would run that long again). */
  replay: boolean;
  /** kept: the kernel kept the workspace after it. */
  kept?: boolean;
  /** gone says why the workspace no longer holds what the run did. */
  gone?: "reset" | "rewound" | "lost" | "skipped";
  /** before: the run happened before the page was reloaded. */
  before?: boolean;
}

export type Status = "busy" | "done" | "failed" | "idle";

export interface NotebookEvents {
  /** status says what the notebook does or did, for the toolbar. */
  status(message: Node, state: Status): void;
  /** changed follows every task (the page redraws its schema panel). */
  changed?(): void;
  /** busy says whether anything runs or waits. */
  busy?(on: boolean): void;
}

const maxSaved = 500; // runs kept for a reload to replay
const rewindLimitMs = 120_000;

export class Notebook {
  /** history is the runs that made the workspace, oldest first. */
  history: Run[] = [];
  /** last is each cell's latest run (what it shows). */
  private last = new Map<string, Run>();
  /** lineage is, for each cell whose state the kernel kept, the history
   * that state was made by. */
  private lineage = new Map<string, Run[]>();
  /** kept are the states the kernel keeps, by cell id. */
  kept = new Map<string, SnapshotInfo>();
  budget = 0;
  /** Whether the kernel answers "snapshots" and "declares" (undefined:
   * not asked yet). */
  private snapshotsOp?: boolean;
  private declaresOp?: boolean;
  /** fresh: the kernel holds what the history made. */
  private fresh = true;
  /** lazy: the history is from before a reload, replayed when a cell
   * first needs it rather than at once. */
  private lazy = false;
  /** trusted: the interpreter holds the declarations of the history's
   * runs (not after a rewind that could only restore files). */
  private trusted = true;
  /** unfaithful are the cells a rewind to which gave back files only. */
  private unfaithful = new Set<string>();
  private counter = 0;
  private tasks: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  /** generation counts Stops: a task queued before one does not run. */
  private generation = 0;
  private historyKey: string;
  /** rebuilt is what the last rebuild said, until a run says it too. */
  private rebuilt = "";
  private saveFailed = false;

  constructor(
    private k: Kernel,
    /** cells are the page's cells in page order. */
    private cells: () => CellView[],
    storagePrefix: string,
    private ev: NotebookEvents,
  ) {
    this.historyKey = `${storagePrefix}:history`;
    this.restore();
  }

  private get hasSteps(): boolean {
    return this.cells().some((c) => c.step !== undefined);
  }

  /** steps are the cells Run all runs: the lesson's, or on a page with no
   * lesson every cell. */
  steps(): CellView[] {
    const all = this.cells();
    return this.hasSteps ? all.filter((c) => c.step !== undefined) : all;
  }

  /** above are the cells catching up to c runs before it. */
  above(c: CellView): CellView[] {
    const all = this.cells();
    const i = all.indexOf(c);
    return this.steps().filter((s) => all.indexOf(s) < i);
  }

  // ---- tasks: one at a time, in order; Stop ends the one running and
  // drops those waiting.

  private enqueue<T>(cells: CellView[], fn: (gen: number) => Promise<T>, cancelled: T): Promise<T> {
    const gen = this.generation;
    for (const c of cells) c.queue();
    this.waiting++;
    this.ev.busy?.(true);
    document.body.dataset.busy = "yes";
    const p = this.tasks.then(async () => {
      try {
        if (gen !== this.generation) return cancelled;
        this.rebuilt = "";
        return await fn(gen);
      } finally {
        for (const c of cells) c.unqueue();
        if (!this.fresh && !this.lazy) await this.rebuild("after the restart");
        await this.refreshSnapshots();
        this.refresh();
        this.persist();
        this.ev.changed?.();
        if (--this.waiting === 0) {
          this.ev.busy?.(false);
          document.body.dataset.busy = "no";
        }
      }
    });
    this.tasks = p.catch((e) => console.error("notebook:", e));
    return p;
  }

  /** kernelRestarted hears that the worker was replaced: the new one is
   * empty until the history is replayed. */
  kernelRestarted() {
    if (this.history.length > 0) {
      this.fresh = false;
      this.lazy = false;
    }
  }

  /** stop ends what runs, as its time limit would, and drops what waits. */
  stop() {
    this.generation++;
    this.k.stop();
  }

  /** run runs one cell in the workspace as it is (a notebook's Run). */
  run(c: CellView): Promise<Result> {
    return this.enqueue(
      [c],
      async (gen) => {
        await this.ensureFresh(c);
        if (gen !== this.generation) return notRun(c); // stopped while the workspace was rebuilt
        const rebuilt = this.rebuilt;
        this.rebuilt = "";
        if (!rebuilt) this.ev.status(text(`running ${c.label}…`), "busy");
        const r = await this.exec(c);
        if (!r.restarted) await this.explain(c, r);
        // What the run did, after what rebuilding the workspace for it did.
        const then = rebuilt ? `${rebuilt} Then ` : "";
        if (r.restarted) return r; // the rebuild after it says what it did
        if (r.error) this.ev.status(frag(then, link(c, rebuilt ? c.label : capital(c.label)), ` failed: ${firstLine(r.error.message)}`), "failed");
        else this.ev.status(frag(then, link(c, rebuilt ? c.label : capital(c.label)), ` ran in ${secs(r.durationMs)}.`), "done");
        return r;
      },
      notRun(c),
    );
  }

  /** runAll is a notebook's Restart and run all: the workspace is reset
   * and the steps run from the top, stopping at the first that fails
   * (unless its lesson shows it failing). */
  runAll(): Promise<Result[]> {
    const steps = this.steps();
    return this.enqueue(
      steps,
      async (gen) => {
        await this.reset("reset");
        return this.sequence(steps, 0, gen, "all");
      },
      [],
    );
  }

  /** catchUp runs the cells above c, then c: continuing from the cells
   * that have run, or from a kept state, or from a reset. */
  catchUp(c: CellView): Promise<Result[]> {
    const seq = [...this.above(c), c];
    return this.enqueue(
      seq,
      async (gen) => {
        let plan = this.plan(seq);
        if (!this.fresh && !plan.reset) {
          await this.ensureFresh(c);
          plan = this.plan(seq);
        }
        if (plan.rewind) {
          const to = this.cells().find((x) => x.id === plan.rewind);
          // A state whose runs do not replay the same is no way there.
          if (!to || !(await this.rewindTo(to, false)) || !this.trusted) plan = { start: 0, reset: true };
        }
        if (plan.reset) await this.reset("reset");
        for (const x of seq.slice(0, plan.start)) x.unqueue();
        return this.sequence(seq.slice(plan.start), plan.start, gen, "catch-up", seq.length, c);
      },
      [],
    );
  }

  /** rewind returns the workspace to the state after c's kept run. */
  rewind(c: CellView): Promise<boolean> {
    return this.enqueue(
      [],
      async () => {
        await this.ensureFresh(c);
        return this.rewindTo(c, true);
      },
      false,
    );
  }

  /** resetAll empties the workspace and the cells (the toolbar's Reset). */
  resetAll(): Promise<void> {
    return this.enqueue(
      [],
      async () => {
        await this.reset("reset");
        for (const c of this.cells()) c.clear();
        this.last.clear();
        this.history = [];
        this.ev.status(text("Workspace reset: files, databases and declarations are gone."), "done");
      },
      undefined,
    );
  }

  // ---- the parts of a task

  /** exec runs a cell and records the run. */
  private async exec(c: CellView): Promise<Result> {
    const cell = c.cell();
    c.banner(null);
    const r = await c.execute(cell);
    const run = this.record(cell, r, c.expectsError);
    if (run) {
      this.last.set(c.id, run);
    } else if (!r.notRun) {
      this.last.delete(c.id);
      // The worker is new: put back what the runs before this one made.
      const n = this.history.filter((r) => r.replay).length;
      if (!this.fresh) {
        const t0 = performance.now();
        const ok = await this.rebuild("after the restart");
        if (ok && n > 0) c.hint(text(`The workspace was rebuilt in a new kernel: ${plural(n, "run")} before this one replayed in ${secs(performance.now() - t0)}.`));
      }
    }
    this.refresh();
    return r;
  }

  /** record adds a run to the history; a run that ended the worker left
   * nothing and is not one. */
  private record(cell: Cell, r: Result, expectsError: boolean): Run | undefined {
    if (r.notRun) return undefined;
    if (r.restarted) {
      this.fresh = false;
      return undefined;
    }
    if (r.counter !== undefined) this.counter = r.counter;
    else this.counter++;
    const run: Run = {
      id: cell.id!,
      kind: cell.kind,
      source: cell.source,
      attrs: cell.attrs,
      step: cell.step,
      counter: this.counter,
      ok: !r.error || expectsError,
      error: r.error ? firstLine(r.error.message) : undefined,
      // As the kernel's record has it: a run it stopped would only stop again.
      replay: !(r.error && (r.error.kind === "timeout" || /^(stopped|deadlock)/.test(r.error.message))),
      kept: r.snapshot === true,
    };
    this.history.push(run);
    if (run.kept) this.lineage.set(run.id, this.history.slice());
    return run;
  }

  /** sequence runs cells in order and says how it went; it stops at the
   * first that fails (unless its lesson shows it failing) or at Stop. */
  private async sequence(cells: CellView[], offset: number, gen: number, what: "all" | "catch-up", total = cells.length, to?: CellView): Promise<Result[]> {
    const t0 = performance.now();
    const results: Result[] = [];
    const where = (c: CellView, i: number) => (what === "all" ? `cell ${i} of ${total}` : `${c.label} (${i} of ${total})`);
    for (const [j, c] of cells.entries()) {
      const i = offset + j + 1;
      if (gen !== this.generation) {
        this.ev.status(frag("Stopped before ", link(c, where(c, i)), "."), "failed");
        return results;
      }
      this.ev.status(text(what === "all" ? `running ${i} of ${total}` : `catching up to ${to!.label}: running ${c.label} (${i} of ${total})`), "busy");
      const r = await this.exec(c);
      results.push(r);
      if (r.error && !c.expectsError) {
        if (!r.restarted) await this.explain(c, r);
        this.ev.status(frag("stopped at ", link(c, where(c, i)), `: ${firstLine(r.error.message)}`), "failed");
        return results;
      }
    }
    const took = secs(performance.now() - t0);
    if (what === "all") this.ev.status(text(`${plural(total, "cell")} ran in ${took}`), "done");
    else {
      const ran = cells.length === 1 ? to!.label : cells.every((x) => x.step !== undefined) ? stepRange(cells) : plural(cells.length, "cell");
      this.ev.status(frag("caught up to ", link(to!, to!.label), `: ${ran} ran in ${took}`), "done");
    }
    return results;
  }

  /** plan finds the cheapest way to run seq (the cells above a cell, and
   * the cell): go on from the runs so far when they are seq's first cells,
   * in order, with the code they show; else from the latest kept state
   * that is; else from a reset. */
  private plan(seq: CellView[]): { start: number; rewind?: string; reset: boolean } {
    const relevant = (r: Run) => (this.hasSteps ? r.step !== undefined : true);
    const prefix = (runs: Run[]): number => {
      const rs = runs.filter(relevant);
      if (rs.length >= seq.length) return -1;
      for (const [i, r] of rs.entries()) {
        if (r.id !== seq[i].id || r.source !== seq[i].source || !r.ok) return -1;
      }
      return rs.length;
    };
    const go = this.trusted ? prefix(this.history) : -1;
    for (let j = seq.length - 2; j >= 0 && j + 1 > go; j--) {
      const lin = this.lineage.get(seq[j].id);
      if (lin && this.kept.has(seq[j].id) && !this.unfaithful.has(seq[j].id) && prefix(lin) === j + 1) return { start: j + 1, rewind: seq[j].id, reset: false };
    }
    if (go >= 0) return { start: go, reset: false };
    return { start: 0, reset: true };
  }

  /** reset empties the kernel's workspace; what the runs did is gone. */
  private async reset(why: "reset") {
    try {
      await this.k.reset();
    } catch (e) {
      console.warn("reset:", e);
    }
    for (const r of this.history) r.gone = why;
    this.history = [];
    this.lineage.clear();
    this.kept.clear();
    this.counter = 0;
    this.fresh = true;
    this.lazy = false;
    this.trusted = true;
    this.unfaithful.clear();
    this.refresh();
  }

  private async rewindTo(c: CellView, say: boolean): Promise<boolean> {
    // The kernel replays the runs that led to the state: a while, perhaps,
    // but not for ever.
    const reply = await this.k
      .request({ op: "rewind", cell: c.cell() }, rewindLimitMs)
      .catch((e: Error) => ({ error: e.message, rewound: undefined, snapshots: undefined, budget: undefined }));
    if (reply.error || !reply.rewound) {
      const why = reply.error ?? "the kernel did not say";
      const unknown = /unknown op/.test(why);
      if (say) {
        const msg = unknown ? "This kernel cannot rewind (it keeps no states)." : `${capital(why)}.`.replace(/\.\.$/, ".");
        c.banner(frag(msg, " ", this.catchUpButton(c, `Catch up to ${c.label} instead`)));
        this.ev.status(text(msg), "failed");
      }
      if (!unknown) this.kept.delete(c.id);
      return false;
    }
    const lin = this.lineage.get(c.id);
    const keep = new Set(lin ?? []);
    for (const r of this.history) {
      if (keep.has(r)) continue;
      r.gone = "rewound";
      // The kernel drops the states kept after this one.
      if (this.lineage.get(r.id)?.includes(r)) this.lineage.delete(r.id);
    }
    if (lin) this.history = lin.slice();
    else {
      const i = this.history.map((r) => r.id).lastIndexOf(c.id);
      this.history = this.history.slice(0, i + 1);
    }
    for (const r of this.history) r.gone = undefined;
    this.counter = reply.rewound.counter;
    this.setKept(reply.snapshots ?? [], reply.budget);
    const notice = reply.rewound.notice;
    this.trusted = !notice;
    if (notice) this.unfaithful.add(c.id);
    if (say) {
      this.ev.status(
        frag("Back to the state after ", link(c, c.label), ` [${reply.rewound.counter}]: ${notice ? "its databases and files" : "its databases, files and declarations"}.`),
        notice ? "failed" : "done",
      );
      c.banner(text(notice ? `Rewound here, but ${notice}.` : `The workspace is back to the state after this cell's run [${reply.rewound.counter}].`));
    }
    this.refresh();
    return true;
  }

  /** ensureFresh rebuilds the workspace when the kernel does not hold
   * what the history made (a new worker, a reload). */
  private async ensureFresh(c?: CellView) {
    if (!this.fresh) await this.rebuild(this.history.some((r) => r.before) ? "from before the reload" : "after the restart", c);
  }

  /** rebuild replays the history in an empty kernel. It reports whether
   * every run was replayed. */
  private async rebuild(why: string, waiting?: CellView): Promise<boolean> {
    const runs = this.history.filter((r) => r.replay);
    for (const r of this.history) if (!r.replay) r.gone = "skipped";
    this.history = [];
    this.lineage.clear();
    this.counter = 0;
    this.fresh = true;
    this.lazy = false;
    this.trusted = true;
    if (runs.length === 0) return true;
    const t0 = performance.now();
    const changed: string[] = [];
    try {
      await this.k.reset();
    } catch {
      /* a new worker is empty anyway */
    }
    for (const [i, run] of runs.entries()) {
      const note = `Rebuilding the workspace ${why}: replaying ${i + 1} of ${runs.length}`;
      this.ev.status(text(note + "…"), "busy");
      waiting?.setStatus(`waiting: replaying ${i + 1} of ${runs.length}`);
      const r = await this.k.run({ id: run.id, kind: run.kind, source: run.source, attrs: run.attrs, step: run.step });
      if (r.restarted) {
        // The replay itself ended the worker: what it rebuilt is gone too.
        for (const x of runs) x.gone = "lost";
        this.history = [];
        this.lineage.clear();
        this.fresh = true;
        this.ev.status(text(`The workspace could not be rebuilt: replaying ${this.labelOf(run)} ${firstLine(r.error!.message)}. Run all starts again from the top.`), "failed");
        return false;
      }
      if (r.counter !== undefined) this.counter = r.counter;
      else this.counter++;
      if (!run.error && r.error) changed.push(`${this.labelOf(run)} failed this time: ${firstLine(r.error.message)}`);
      run.counter = this.counter;
      run.kept = r.snapshot === true;
      run.gone = undefined;
      run.before = false;
      this.history.push(run);
      if (run.kept) this.lineage.set(run.id, this.history.slice());
    }
    await this.refreshSnapshots();
    this.rebuilt = `Rebuilt the workspace ${why}: ${plural(runs.length, "run")} replayed in ${secs(performance.now() - t0)}${changed.length ? `; ${changed[0]}` : ""}.`;
    this.ev.status(text(this.rebuilt), changed.length ? "failed" : "done");
    return changed.length === 0;
  }

  /** explain adds a hint to a failed run: where an undefined name is
   * declared, or that the cells above have not run. */
  private async explain(c: CellView, r: Result) {
    if (!r.error) return;
    const name = c.kind === "go" ? undefinedName(r.error.message) : undefined;
    const above = this.above(c);
    if (name) {
      const all = this.cells();
      const i = all.indexOf(c);
      const others = all.filter((x) => x !== c && x.kind === "go");
      const decl = await this.declares(others);
      const declares = (x: CellView) => decl.get(x.id)?.includes(name) ?? false;
      const up = others.filter((x) => all.indexOf(x) < i && declares(x)).pop();
      const down = others.find((x) => all.indexOf(x) > i && declares(x));
      if (up) {
        const hint = frag(code(name), " is declared in ", link(up, up.label));
        if (!this.ranInWorkspace(up)) hint.append(`, which has not run${this.history.length ? " in this workspace" : " since the reset"}`);
        hint.append(". ", this.catchUpButton(c, above.length ? `Run ${stepRange(above)} first, then this cell` : "Run the cells above first"));
        c.hint(hint);
        return;
      }
      if (down) {
        c.hint(frag(code(name), " is declared further down, in ", link(down, down.label), "."));
        return;
      }
    }
    const missing = above.filter((x) => !this.ranInWorkspace(x));
    if (missing.length > 0) {
      const which = missing.length === above.length ? stepRange(above) : `${plural(missing.length, "cell")} above it`;
      c.hint(frag(`This cell ran before ${which} did. `, this.catchUpButton(c, `Run ${stepRange(above)} first, then this cell`)));
    }
  }

  private ranInWorkspace(c: CellView): boolean {
    return this.history.some((r) => r.id === c.id);
  }

  /** declares asks the kernel which names each cell declares. */
  private async declares(cells: CellView[]): Promise<Map<string, string[]>> {
    if (this.declaresOp !== false) {
      const reply = await this.k.request({ op: "declares", cells: cells.map((c) => c.cell()) }).catch(() => undefined);
      if (reply?.declares) {
        this.declaresOp = true;
        return new Map(Object.entries(reply.declares));
      }
      if (reply?.error && /unknown op/.test(reply.error)) this.declaresOp = false;
    }
    return new Map(cells.map((c) => [c.id, scanDeclarations(c.source)]));
  }

  private async refreshSnapshots() {
    if (this.snapshotsOp === false || !this.k.isReady) return;
    const reply = await this.k.request({ op: "snapshots" }).catch(() => undefined);
    if (!reply) return;
    if (reply.error) {
      if (/unknown op/.test(reply.error)) this.snapshotsOp = false;
      return;
    }
    this.snapshotsOp = true;
    this.setKept(reply.snapshots ?? [], reply.budget);
  }

  private setKept(list: SnapshotInfo[], budget?: number) {
    this.kept = new Map(list.map((s) => [s.id, s]));
    if (budget !== undefined) this.budget = budget;
  }

  /** rewindable says whether c offers its kept state: "kept", "dropped"
   * (it had one the memory budget let go), or "none". */
  rewindable(c: CellView): "kept" | "dropped" | "none" {
    if (!this.snapshotsOp) return "none";
    if (this.kept.has(c.id)) return "kept";
    return this.lineage.has(c.id) ? "dropped" : "none";
  }

  /** keptBytes is what the kept states take. */
  keptBytes(): number {
    let n = 0;
    for (const s of this.kept.values()) n += s.bytes;
    return n;
  }

  get snapshotsSupported(): boolean {
    return this.snapshotsOp === true;
  }

  catchUpButton(c: CellView, label: string): HTMLButtonElement {
    const b = button(label, "cell-catch-up-now", () => void this.catchUp(c));
    return b;
  }

  private labelOf(run: Run): string {
    if (run.step !== undefined) return `step ${run.step}`;
    return this.cells().find((c) => c.id === run.id)?.label ?? "a deleted scratch cell";
  }

  /** refresh shows each cell's counter and whether its output is stale:
   * from before a reset or a rewind, or older than a run of a cell above. */
  refresh() {
    const pos = new Map<Run, number>();
    const latest = new Map<string, number>();
    this.history.forEach((r, i) => {
      pos.set(r, i);
      latest.set(r.id, i);
    });
    let newest = -1; // the latest run of the cells above
    let newestCell: CellView | undefined;
    for (const c of this.cells()) {
      const run = this.last.get(c.id);
      if (!run) {
        c.setCounter(undefined);
        c.setStale(null);
      } else {
        c.setCounter(run.counter, `In [${run.counter}]: the ${ordinal(run.counter)} run since the workspace was reset`);
        const p = pos.get(run);
        if (run.before && p !== undefined && !c.showsOutput && c.state === "idle") c.setStatus("ran before the reload");
        if (p === undefined) c.setStale(c.showsOutput ? gone(run.gone) : null);
        else if (newest > p && c.showsOutput) c.setStale(`${newestCell!.label} above ran after it; run it again to bring it up to date.`);
        else c.setStale(null);
      }
      const l = latest.get(c.id);
      if (l !== undefined && l > newest) {
        newest = l;
        newestCell = c;
      }
    }
  }

  // ---- what a reload keeps

  private persist() {
    if (this.history.length > maxSaved) {
      save(this.historyKey, null);
      this.saveFailed = true;
      return;
    }
    const runs = this.history.map(({ id, kind, source, attrs, step, counter, ok, error, replay }) => ({ id, kind, source, attrs, step, counter, ok, error, replay }));
    this.saveFailed = !save(this.historyKey, runs.length ? JSON.stringify(runs) : null);
  }

  /** unsaved tells whether the history is too long (or the storage too
   * full) for a reload to replay. */
  get unsaved(): boolean {
    return this.saveFailed;
  }

  private restore() {
    const saved = load(this.historyKey);
    if (!saved) return;
    try {
      const runs = JSON.parse(saved) as Run[];
      if (!Array.isArray(runs) || runs.length === 0) return;
      for (const r of runs) r.before = true;
      this.history = runs;
      for (const r of runs) this.last.set(r.id, r);
      this.counter = runs[runs.length - 1].counter;
      this.fresh = false;
      this.lazy = true;
    } catch {
      save(this.historyKey, null);
    }
  }

  /** before counts the runs a reload will replay. */
  get replayable(): number {
    return this.fresh ? 0 : this.history.filter((r) => r.replay).length;
  }
}

function notRun(c: CellView): Result {
  return { id: c.id, stdout: "", sql: [], durationMs: 0, error: { kind: "stopped", message: "not run: stopped before it began", pos: { line: 0, col: 0 } } };
}

function gone(why: Run["gone"]): string {
  switch (why) {
    case "rewound":
      return "the workspace was rewound to before this run.";
    case "lost":
      return "this run was lost when the kernel restarted.";
    case "skipped":
      return "the kernel stopped this run at its time limit, and a rebuilt workspace does not run it again.";
    default:
      return "not run since the workspace was reset.";
  }
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function firstLine(s: string): string {
  const line = s.split("\n")[0];
  return line.length > 300 ? line.slice(0, 300) + "…" : line;
}

export function secs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

function ordinal(n: number): string {
  const s = ["th", "st", "nd", "rd"];
  const v = n % 100;
  return n + (s[(v - 20) % 10] || s[v] || s[0]);
}

export function text(s: string): Node {
  return document.createTextNode(s);
}

export function frag(...parts: (Node | string)[]): DocumentFragment {
  const f = document.createDocumentFragment();
  f.append(...parts);
  return f;
}

function code(s: string): HTMLElement {
  const c = document.createElement("code");
  c.textContent = s;
  return c;
}

/** link is a link to a cell that scrolls to it. */
export function link(c: CellView, label: string): HTMLAnchorElement {
  const a = document.createElement("a");
  a.className = "cell-link";
  a.href = c.step !== undefined ? `#step-${c.step}` : `#cell-${c.id}`;
  a.textContent = label;
  a.onclick = (e) => {
    e.preventDefault();
    scrollToCell(c);
  };
  return a;
}

// The messages between the page and the kernel's worker, and the JSON the
// kernel speaks (wasm/kernel's Request and Reply).

export interface Position { line: number; col: number; }

export interface Diagnostic { kind: string; message: string; pos: Position; }

export interface SQLEntry {
  statement: string;
  params?: string[];
  /** The parameter rows of an executemany. */
  many?: string[][];
  /** The engine's "[generated in ...]" or "[cached since ...]". */
  note?: string;
  /** BEGIN, COMMIT, ROLLBACK, savepoints. */
  event?: boolean;
  durationMs: number;
  rows: number;
  error?: string;
}

export interface Display {
  kind: "text" | "table" | "notice";
  text?: string;
  columns?: string[];
  rows?: string[][];
}

export interface Result {
  id?: string;
  stdout: string;
  display?: Display[];
  sql: SQLEntry[];
  error?: Diagnostic;
  files?: string[];
  durationMs: number;
  /** The run's execution count since the last reset (a notebook's
   * In [n]); missing from a kernel that does not count. */
  counter?: number;
  /** snapshot is true when the kernel kept the workspace as this run left
   * it, so "rewind" can go back to it. */
  snapshot?: boolean;
  /** Set by the page, never the kernel: the run ended the worker (the
   * reader's Stop, the hard limit, a crash) and a new one was started. */
  restarted?: boolean;
  /** Set by the page: the run was stopped before it was sent. */
  notRun?: boolean;
}

export interface Cell {
  id?: string;
  kind: string;
  source: string;
  attrs?: Record<string, string>;
  /** The cell's 1-based step in its lesson; omitted for scratch and
   * embedded cells. */
  step?: number;
}

/** A workspace the kernel keeps: the state after a cell's latest
 * successful run. */
export interface SnapshotInfo {
  id: string;
  step?: number;
  counter: number;
  bytes: number;
}

export interface Request {
  op:
    | "run"
    | "reset"
    | "warmup"
    | "files"
    | "read"
    | "write"
    | "remove"
    | "export"
    | "import"
    | "schema"
    | "graph"
    | "declares"
    | "rewind"
    | "snapshots";
  cell?: Cell;
  /** The cells of a "declares" request. */
  cells?: Cell[];
  timeoutMs?: number;
  path?: string;
  data?: string; // base64, as Go's encoding/json writes []byte
  files?: Record<string, string>;
  current?: string;
}

/** A migrate project's revisions, oldest first, and where the database is. */
export interface MigrationGraph {
  revisions: GraphRevision[];
  current: string[];
}

export interface GraphRevision {
  id: string;
  down?: string[];
  dependsOn?: string[];
  labels?: string[];
  message: string;
  path: string;
  head?: boolean;
  branchPoint?: boolean;
  mergePoint?: boolean;
}

/** A database's tables, for the diagram. */
export interface Schema {
  database: string;
  tables: SchemaTable[];
}

export interface SchemaTable {
  name: string;
  columns: { name: string; type: string; notNull?: boolean; primaryKey?: boolean }[];
  foreignKeys?: { columns: string[]; refTable: string; refColumns: string[] }[];
}

export interface Reply {
  error?: string;
  result?: Result;
  files?: { path: string; size: number; database?: boolean }[];
  data?: string;
  all?: Record<string, string>;
  current?: string;
  graph?: MigrationGraph;
  schema?: Schema;
  /** For "declares": each cell id's top-level names (go cells; others []). */
  declares?: Record<string, string[]>;
  /** For "rewind": the run whose state the workspace is now in. */
  rewound?: {
    id: string;
    counter: number;
    /** notice says what the rewind could not bring back (the files and
     * databases were restored, the interpreter starts empty). */
    notice?: string;
  };
  /** For "snapshots" and "rewind": the states kept, oldest first. */
  snapshots?: SnapshotInfo[];
  /** The bytes the kept states may take in all. */
  budget?: number;
}

/** Page to worker. */
export type ToWorker =
  | { type: "load"; url: string; size: number; module?: WebAssembly.Module }
  | { type: "call"; id: number; request: string };

/** Worker to page. */
export type FromWorker =
  | { type: "progress"; phase: "download" | "compile"; loaded: number; total: number }
  | { type: "ready"; module: WebAssembly.Module; downloadMs: number; compileMs: number }
  | { type: "reply"; id: number; reply: string }
  | { type: "crash"; message: string }
  | { type: "log"; text: string };

// Scratch cells: a reader's own cells, added below any cell of a lesson
// (or on the blank scratch page) to try something without touching the
// lesson's code, and deleted again. Which cells there are, and where,
// is saved with the edits; each cell's code is saved as any cell's is.

import { load, save, span } from "./cell";

export interface ScratchSpec {
  id: string;
  kind: string;
  /** after is the lesson cell the scratch cell follows (null: the top). */
  after: string | null;
}

/** The kinds a reader may add, with their labels. */
export const scratchKinds: [kind: string, label: string][] = [
  ["go", "Go"],
  ["sql", "SQL"],
  ["shell", "shell"],
];

const placeholders: Record<string, string> = {
  go: "Go: the names the cells above declared are here to use. Shift+Enter runs.",
  sql: "SQL, against the database the cells above opened last. Shift+Enter runs.",
  shell: "migrate …, ls, cat FILE, echo TEXT > FILE. Shift+Enter runs.",
};

export function placeholderOf(kind: string): string {
  return placeholders[kind] ?? "";
}

export function newScratchId(): string {
  return `scratch-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** scratchElement is the markup of a scratch cell, for a CellView. */
export function scratchElement(s: ScratchSpec): HTMLElement {
  const el = document.createElement("div");
  el.className = "cell cell-scratch";
  el.id = `cell-${s.id}`;
  el.dataset.id = s.id;
  el.dataset.kind = s.kind;
  el.dataset.attrs = "{}";
  const head = document.createElement("div");
  head.className = "cell-head";
  head.append(span("cell-kind", s.kind), span("cell-scratch-label", "scratch"));
  const source = document.createElement("pre");
  source.className = "cell-source";
  el.append(head, source);
  return el;
}

/** ScratchList keeps which scratch cells a page has, in page order. */
export class ScratchList {
  constructor(private key: string) {}

  load(): ScratchSpec[] {
    try {
      const v = JSON.parse(load(this.key) ?? "[]") as ScratchSpec[];
      return Array.isArray(v) ? v.filter((s) => s && typeof s.id === "string" && scratchKinds.some(([k]) => k === s.kind)) : [];
    } catch {
      return [];
    }
  }

  save(list: ScratchSpec[]) {
    save(this.key, list.length ? JSON.stringify(list) : null);
  }
}

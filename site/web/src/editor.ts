// The cell editor: CodeMirror 6 with Go or SQL highlighting, Shift+Enter
// to run, and a mark on the line an error points at.

import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { go } from "@codemirror/lang-go";
import { sql, SQLite } from "@codemirror/lang-sql";
import { bracketMatching, defaultHighlightStyle, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { EditorState, StateEffect, StateField, type Extension } from "@codemirror/state";
import {
  Decoration,
  type DecorationSet,
  EditorView,
  drawSelection,
  highlightActiveLine,
  keymap,
  lineNumbers,
  placeholder,
} from "@codemirror/view";

const setError = StateEffect.define<{ line: number; col: number } | null>();

const errorField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    marks = marks.map(tr.changes);
    for (const e of tr.effects) {
      if (!e.is(setError)) continue;
      if (!e.value || e.value.line < 1 || e.value.line > tr.state.doc.lines) return Decoration.none;
      const line = tr.state.doc.line(e.value.line);
      const from = Math.min(line.to, line.from + Math.max(0, e.value.col - 1));
      const decos = [Decoration.line({ class: "cm-error-line" }).range(line.from)];
      if (from < line.to) decos.push(Decoration.mark({ class: "cm-error-mark" }).range(from, line.to));
      return Decoration.set(decos);
    }
    if (tr.docChanged) return Decoration.none;
    return marks;
  },
  provide: (f) => EditorView.decorations.from(f),
});

export interface EditorOptions {
  parent: HTMLElement;
  doc: string;
  /** lang is the editor's language: "go", "sql" or "" for plain text. */
  lang: string;
  /** placeholder is what an empty editor shows. */
  placeholder?: string;
  onRun: () => void;
  onChange: (doc: string) => void;
}

export function createEditor(o: EditorOptions): CellEditor {
  const runKey = () => {
    o.onRun();
    return true;
  };
  const extensions: Extension[] = [
    lineNumbers(),
    history(),
    drawSelection(),
    highlightActiveLine(),
    bracketMatching(),
    indentUnit.of(o.lang === "go" ? "\t" : "  "),
    EditorState.tabSize.of(4),
    syntaxHighlighting(defaultHighlightStyle),
    keymap.of([
      { key: "Shift-Enter", run: runKey },
      { key: "Mod-Enter", run: runKey },
      indentWithTab,
      ...defaultKeymap,
      ...historyKeymap,
    ]),
    o.lang === "go" ? go() : o.lang === "sql" ? sql({ dialect: SQLite }) : [],
    errorField,
    o.placeholder ? placeholder(o.placeholder) : [],
    EditorView.updateListener.of((u) => {
      if (u.docChanged) o.onChange(u.state.doc.toString());
    }),
  ];
  const view = new EditorView({ parent: o.parent, state: EditorState.create({ doc: o.doc, extensions }) });
  return new CellEditor(view);
}

export class CellEditor {
  constructor(readonly view: EditorView) {}

  get text(): string {
    return this.view.state.doc.toString();
  }

  set text(s: string) {
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: s } });
  }

  /** markError underlines a position, or clears the mark for null. */
  markError(pos: { line: number; col: number } | null) {
    this.view.dispatch({ effects: setError.of(pos) });
  }

  /** focusAt moves the cursor to a line and column. */
  focusAt(line: number, col: number) {
    const doc = this.view.state.doc;
    if (line < 1 || line > doc.lines) return;
    const l = doc.line(line);
    this.view.dispatch({ selection: { anchor: Math.min(l.to, l.from + Math.max(0, col - 1)) }, scrollIntoView: true });
    this.view.focus();
  }
}

// Which cell declares a name: the kernel answers ("declares", parsed with
// go/parser); this scan is the page's fallback for a kernel without that
// request, reading only the plain top-level forms a cell writes.

/** undefinedName is the name an "undefined: x" error is about. */
export function undefinedName(message: string): string | undefined {
  return /undefined: (\w+)/.exec(message)?.[1];
}

/** scanDeclarations lists the top-level names a Go cell declares. */
export function scanDeclarations(src: string): string[] {
  const names = new Set<string>();
  let group = ""; // "var", "const" or "type" inside a ( ... ) block
  for (const line of src.split("\n")) {
    if (group) {
      if (/^\)/.test(line)) group = "";
      else {
        const m = /^\s+(\w+(?:\s*,\s*\w+)*)/.exec(line);
        if (m) for (const n of m[1].split(",")) names.add(n.trim());
      }
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^(var|const|type)\s*\($/.exec(line.trimEnd()))) group = m[1];
    else if ((m = /^func\s+(\w+)/.exec(line))) names.add(m[1]);
    else if ((m = /^(?:var|const|type)\s+(\w+(?:\s*,\s*\w+)*)/.exec(line))) for (const n of m[1].split(",")) names.add(n.trim());
    else if ((m = /^(\w+(?:\s*,\s*\w+)*)\s*:=/.exec(line))) for (const n of m[1].split(",")) names.add(n.trim());
  }
  names.delete("_");
  return [...names];
}

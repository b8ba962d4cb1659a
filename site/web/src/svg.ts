// Building SVG pictures (the migration graph, the schema diagram).

const NS = "http://www.w3.org/2000/svg";

/** svgEl makes an SVG element with attributes and, optionally, text. */
export function svgEl(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

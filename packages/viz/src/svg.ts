/**
 * Small SVG helpers shared by the plots: escaping, number formatting and text measurement.
 *
 * Text is measured without a DOM (plots are plain strings, built the same in Node and in the
 * browser) from Helvetica's advance widths, which Arial and Liberation Sans share; the plots ask
 * for that font family, so the boxes fit their labels wherever the SVG is shown.
 */

/** Helvetica advance widths for ASCII 32..126, in thousandths of the font size (Adobe AFM). */
// prettier-ignore
const HELVETICA = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space .. /
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0 .. ?
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ .. O
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P .. _
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` .. o
  556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p .. ~
];

/** Font stack of every plot: metric-compatible faces, so `textWidth` holds. */
export const FONT_FAMILY = "Helvetica, Arial, 'Liberation Sans', sans-serif";

/**
 * Width in pixels of `text` at `size` px (bold is about 6% wider in Helvetica).
 * @example textWidth("Dense", 12); // 33.3
 */
export function textWidth(text: string, size: number, bold = false): number {
  let units = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    units += c >= 32 && c <= 126 ? HELVETICA[c - 32]! : 600;
  }
  return (units / 1000) * size * (bold ? 1.06 : 1);
}

/**
 * Escapes text for SVG element content and attribute values.
 * @example esc('a < "b"'); // 'a &lt; &quot;b&quot;'
 */
export function esc(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** A coordinate with at most 2 decimals, so the SVG stays small and stable across runs. */
export function num(x: number): string {
  const r = Math.round(x * 100) / 100;
  return Object.is(r, -0) ? "0" : String(r);
}

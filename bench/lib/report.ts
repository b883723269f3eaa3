/** Plain-text tables and number formats for the benchmark's stdout report. */

/** Renders rows as an aligned table; `right` marks the columns to right-align. */
export function table(headers: string[], rows: string[][], right: readonly boolean[]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (right[c] ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** An integer with thousands separators. */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A ratio such as `123x` or `1.8x`. */
export function ratio(n: number): string {
  if (!Number.isFinite(n)) return '-';
  return n >= 100 ? `${Math.round(n)}x` : n >= 10 ? `${n.toFixed(1)}x` : `${n.toFixed(2)}x`;
}

/** A fraction as a percentage with two decimals. */
export function percent(n: number): string {
  return Number.isFinite(n) ? `${(n * 100).toFixed(2)}%` : '-';
}

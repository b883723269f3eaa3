/**
 * The ISO 8601 timestamp with whole seconds (`2024-01-02T03:04:05Z`) that IAM, STS and the
 * condition key aws:CurrentTime use. The request path formats the request time several times a
 * request; the text of the last second is kept, so most calls cost a comparison.
 */

let lastSecond = Number.NaN;
let lastText = '';

/** `date` as `YYYY-MM-DDTHH:MM:SSZ` (UTC, milliseconds dropped; RangeError for an invalid date). */
export function isoSeconds(date: Date): string {
  const ms = date.getTime();
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastText = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    lastSecond = second;
  }
  return lastText;
}

/**
 * Small, pure text and number helpers shared by the domain rules.
 *
 * No I/O, no Node built-ins: this file is bundled into the Temporal workflow sandbox.
 */

/** Normalises a slug-ish key for comparison: `"Womens-Apparel "` -> `"womens_apparel"`. */
export function normaliseKey(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/** Humanises a skill or category key: `womens_apparel` / `womens-apparel` -> `womens apparel`. */
export function humanise(value: string): string {
  return value.trim().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ').toLowerCase();
}

/** Joins a list for a sentence: `[]` -> `""`, `[a]` -> `"a"`, `[a, b]` -> `"a and b"`, `[a, b, c]` -> `"a, b and c"`. */
export function joinList(items: readonly string[]): string {
  if (items.length === 0) return '';
  if (items.length === 1) return items[0]!;
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]!}`;
}

/** `pluralise(1, 'session')` -> `"1 session"`, `pluralise(3, 'session')` -> `"3 sessions"`. */
export function pluralise(count: number, singular: string, plural: string = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

/** Rounds half away from zero to `decimals` places, tolerant of binary fractions (1.005 -> 1.01). */
export function roundTo(value: number, decimals: number): number {
  if (!Number.isFinite(value)) return 0;
  const factor = 10 ** decimals;
  const sign = value < 0 ? -1 : 1;
  return (sign * Math.round(Math.abs(value) * factor + 1e-9)) / factor;
}

/** Formats a money amount for a human-readable reason: `152.5` -> `"$152.50"`. */
export function formatMoney(amount: number): string {
  return `$${roundTo(amount, 2).toFixed(2)}`;
}

/** Plain code-unit string comparison: deterministic regardless of locale/ICU (unlike localeCompare). */
export function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

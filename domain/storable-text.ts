/**
 * The one rule for text entering the system (HTTP bodies, query strings, paths, Schedule and
 * workflow inputs): what Postgres can store and SMTP can carry.
 *
 * - U+0000 (NUL): Postgres refuses it in text and jsonb (22021 / 22P05), SMTP forbids it.
 * - Other C0 control characters and DEL, except tab, line feed and carriage return: no person types
 *   them, mail clients show them as garbage, and some break header encoding.
 * - Unpaired UTF-16 surrogates: not Unicode, so not encodable as UTF-8 (what a JSON `\ud800`
 *   escape produces).
 *
 * Pure and dependency-free: the API, the starters and the workflow sandbox all use it.
 */

export const MAX_TEXT_LENGTH = 20_000;
/** How deep a JSON value may nest before it is refused (no request of this API needs more than a few levels). */
export const MAX_NESTING = 16;

export interface TextProblem {
  /** Dotted path of the offending value, e.g. `body.variants.0.subject`. */
  field: string;
  message: string;
  code: 'unstorable_character' | 'too_long' | 'too_deep';
}

// eslint-disable-next-line no-control-regex
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored or mailed, or undefined when it can. */
export function unstorableReason(text: string): string | undefined {
  const control = FORBIDDEN_CONTROL.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0);
    const name = code === 0 ? 'a NUL character (U+0000)' : `a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
    return `contains ${name} at position ${control.index}, which cannot be stored or sent`;
  }
  const surrogate = LONE_SURROGATE.exec(text);
  if (surrogate) return `contains an unpaired surrogate at position ${surrogate.index} (not valid Unicode)`;
  return undefined;
}

/**
 * Every problem in a JSON-like value: strings (keys included) that cannot be stored, strings longer
 * than `maxLength`, nesting deeper than `maxDepth`. Stops after `limit` problems.
 */
export function findTextProblems(value: unknown, root: string, opts: { maxLength?: number; maxDepth?: number; limit?: number } = {}): TextProblem[] {
  const maxLength = opts.maxLength ?? MAX_TEXT_LENGTH;
  const maxDepth = opts.maxDepth ?? MAX_NESTING;
  const limit = opts.limit ?? 20;
  const problems: TextProblem[] = [];

  const checkString = (text: string, field: string) => {
    const reason = unstorableReason(text);
    if (reason) problems.push({ field, message: reason, code: 'unstorable_character' });
    else if (text.length > maxLength) problems.push({ field, message: `is longer than ${maxLength} characters`, code: 'too_long' });
  };

  const walk = (v: unknown, field: string, depth: number): void => {
    if (problems.length >= limit) return;
    if (typeof v === 'string') return checkString(v, field);
    if (v === null || typeof v !== 'object') return;
    if (depth >= maxDepth) {
      problems.push({ field, message: `nests deeper than ${maxDepth} levels`, code: 'too_deep' });
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, `${field}.${i}`, depth + 1));
      return;
    }
    for (const [key, item] of Object.entries(v)) {
      const keyReason = unstorableReason(key);
      const printable = printableKey(key);
      if (key.length > 200) problems.push({ field: `${field}.${printable}`, message: 'has a name longer than 200 characters', code: 'too_long' });
      else if (keyReason) problems.push({ field: `${field}.${printable}`, message: `has a name that ${keyReason}`, code: 'unstorable_character' });
      walk(item, `${field}.${printable}`, depth + 1);
    }
  };

  walk(value, root, 0);
  return problems.slice(0, limit);
}

/** A key as it may appear in an error message: printable ASCII, at most 60 characters. */
export function printableKey(key: string): string {
  const ascii = key.replace(/[^\x20-\x7E]/g, '?');
  return ascii.length > 60 ? `${ascii.slice(0, 57)}...` : ascii;
}

/** What replaces a character that cannot be stored (U+FFFD REPLACEMENT CHARACTER, as UTF-8 decoders do). */
export const REPLACEMENT_CHARACTER = '\uFFFD';

// eslint-disable-next-line no-control-regex
const FORBIDDEN_CONTROL_ALL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
const LONE_SURROGATE_ALL = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The same text made storable, for input that cannot be refused (a cancel request's reason arrives
 * by Signal): every character `unstorableReason` objects to becomes U+FFFD, and text longer than
 * `maxLength` is cut there (never inside a surrogate pair) and ends with an ellipsis. Text that is
 * already storable comes back unchanged.
 */
export function toStorableText(text: string, maxLength: number = MAX_TEXT_LENGTH): string {
  let out = text.replace(FORBIDDEN_CONTROL_ALL, REPLACEMENT_CHARACTER).replace(LONE_SURROGATE_ALL, REPLACEMENT_CHARACTER);
  if (maxLength < 1) return '';
  if (out.length > maxLength) {
    let cut = Math.max(0, maxLength - 1);
    const last = out.charCodeAt(cut - 1);
    if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
    out = `${out.slice(0, cut)}…`;
  }
  return out;
}

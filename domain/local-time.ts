/**
 * A moment as people at a store read it: "Wed, Dec 2, 11:00 AM PST", in the store's zone and
 * with the zone's name, so nobody has to convert from UTC. An unknown zone falls back to UTC,
 * named as such.
 */
export function formatLocalTime(at: string | Date, timeZone: string): string {
  const date = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) return String(at);
  const get = zonedParts(date, { weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }, timeZone);
  return `${get('weekday')}, ${get('month')} ${get('day')}, ${get('hour')}:${get('minute')} ${get('dayPeriod')} ${get('timeZoneName')}`;
}

/** Formatters by zone and options: building one costs far more than formatting with it. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** An en-US formatter of `options` in `timeZone`; in UTC when the zone is unknown. */
function formatter(options: Intl.DateTimeFormatOptions, timeZone: string): Intl.DateTimeFormat {
  const key = `${timeZone}\u0000${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { ...options, timeZone });
    } catch {
      f = new Intl.DateTimeFormat('en-US', { ...options, timeZone: 'UTC' });
    }
    if (formatters.size >= 500) formatters.clear();
    formatters.set(key, f);
  }
  return f;
}

/** The parts of `date` in `timeZone` (en-US), read by type; UTC when the zone is unknown. */
export function zonedParts(date: Date, options: Intl.DateTimeFormatOptions, timeZone: string): (type: Intl.DateTimeFormatPartTypes) => string {
  const parts = formatter(options, timeZone).formatToParts(date);
  return (type) => parts.find((p) => p.type === type)?.value ?? '';
}

/** Whole minutes from `now` until `at` (negative once it has passed). */
export function minutesUntil(at: string | Date, now: Date): number {
  const t = (typeof at === 'string' ? new Date(at) : at).getTime();
  return Math.round((t - now.getTime()) / 60_000);
}

/** A day as the store reads it, with how long ago: "Nov 11, 2026 (3 weeks ago)". */
export function formatLocalDateAgo(at: string | Date, timeZone: string, now: Date): string {
  const date = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) return String(at);
  const day = formatter({ month: 'short', day: 'numeric', year: 'numeric' }, timeZone).format(date);
  const days = Math.floor((now.getTime() - date.getTime()) / 86_400_000);
  const ago =
    days < 0
      ? null
      : days === 0
        ? 'today'
        : days === 1
          ? 'yesterday'
          : days < 14
            ? `${days} days ago`
            : days < 61
              ? `${Math.round(days / 7)} weeks ago`
              : days < 730
                ? `${Math.round(days / 30.44)} months ago`
                : `${Math.floor(days / 365.25)} years ago`;
  return ago ? `${day} (${ago})` : day;
}

const ISO_INSTANT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})\b/g;

/**
 * Rewrites the ISO instants in a line of text (as processes write them, e.g. "starts
 * 2026-12-02T19:00:00.000Z") as the store reads them ("starts Wed, Dec 2, 11:00 AM PST").
 */
export function localiseInstants(text: string, timeZone: string): string {
  return text.replace(ISO_INSTANT, (iso) => (Number.isNaN(Date.parse(iso)) ? iso : formatLocalTime(iso, timeZone)));
}

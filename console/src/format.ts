const money2 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const money0 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });

export const money = (n: number | null | undefined, whole = false) => (n === null || n === undefined ? '—' : (whole ? money0 : money2).format(n));
export const num = (n: number | null | undefined, digits = 1) =>
  n === null || n === undefined ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
/** A ratio (0.123) as a percentage ("12.3%"). */
export const pct = (ratio: number | null | undefined, digits = 1) => (ratio === null || ratio === undefined ? '—' : `${(ratio * 100).toFixed(digits)}%`);
/** A value already in percent (12.3) as "12.3%", signed when asked. */
export const pctValue = (v: number | null | undefined, signed = false, digits = 1) =>
  v === null || v === undefined ? '—' : `${signed && v > 0 ? '+' : ''}${v.toFixed(digits)}%`;

/** "Wed, Dec 2, 7:19 PM PST": in the given zone (a store's) or the browser's. */
export function dateTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString('en-US', { weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone, timeZoneName: 'short' });
}

/** "in 57 min", "3 h 5 min ago". */
export function relative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const ms = new Date(iso).getTime() - now;
  const mins = Math.round(Math.abs(ms) / 60_000);
  const text =
    mins < 1
      ? 'less than a minute'
      : mins < 60
        ? `${mins} min`
        : mins < 48 * 60
          ? `${Math.floor(mins / 60)} h${mins % 60 ? ` ${mins % 60} min` : ''}`
          : `${Math.round(mins / 1440)} days`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

export const minutesUntil = (iso: string, now = Date.now()) => Math.round((new Date(iso).getTime() - now) / 60_000);

export const words = (s: string | null | undefined) => (s ?? '').replace(/[_-]+/g, ' ');
export const titleCase = (s: string | null | undefined) =>
  words(s)
    .toLowerCase()
    .replace(/\b\w/g, (c) => c.toUpperCase());

export const ROLE_LABELS: Record<string, string> = {
  system: 'System integration',
  associate: 'Associate',
  store_manager: 'Store manager',
  regional_manager: 'Regional manager',
  category_manager: 'Category manager',
  marketing_manager: 'Marketing manager',
  data_scientist: 'Data scientist',
  ops: 'Operations (read only)',
};
export const roleLabel = (role: string) => ROLE_LABELS[role] ?? titleCase(role);

export function scopeLabel(scope: { all: boolean; storeIds: string[]; regionIds: string[]; categories: string[] }): string {
  if (scope.all) return 'all stores';
  const parts = [
    scope.storeIds.length ? `store ${scope.storeIds.join(', ')}` : '',
    scope.regionIds.length ? `region ${scope.regionIds.join(', ')}` : '',
    scope.categories.length ? `category ${scope.categories.join(', ')}` : '',
  ].filter(Boolean);
  return parts.join(' · ') || 'no scope';
}

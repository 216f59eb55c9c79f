/** Small inline SVG charts: a picture where it reads faster than numbers. */

/** Weekly units as a sparkline with the last week marked; labelled for screen readers with the numbers. */
export function Sparkline({ weeks, width = 120, height = 32 }: { weeks: { weekStart: string; units: number }[]; width?: number; height?: number }) {
  if (weeks.length === 0) return <span className="muted">no sales</span>;
  const max = Math.max(1, ...weeks.map((w) => w.units));
  const step = weeks.length > 1 ? (width - 6) / (weeks.length - 1) : 0;
  const pts = weeks.map((w, i) => [3 + i * step, height - 3 - (w.units / max) * (height - 6)] as const);
  const label = `Units sold per week, last ${weeks.length} weeks: ${weeks.map((w) => w.units).join(', ')}`;
  const last = pts[pts.length - 1]!;
  return (
    <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      <title>{label}</title>
      <polyline
        points={pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}
        fill="none"
        stroke="currentColor"
        strokeWidth="1.8"
        strokeLinejoin="round"
      />
      <circle cx={last[0]} cy={last[1]} r="2.6" fill="currentColor" />
    </svg>
  );
}

/** Horizontal paired bars (champion vs challenger) for one metric across rows, lower is better. */
export function PairedBars({ rows, format }: { rows: { label: string; a: number | null; b: number | null }[]; format: (n: number | null) => string }) {
  const max = Math.max(1e-9, ...rows.flatMap((r) => [r.a ?? 0, r.b ?? 0]));
  const rowH = 34;
  const labelW = 150;
  const width = 520;
  const barW = width - labelW - 70;
  return (
    <svg
      className="paired-bars"
      viewBox={`0 0 ${width} ${rows.length * rowH + 24}`}
      role="img"
      aria-label="WAPE by category, champion and challenger (shorter is better)"
    >
      <g transform="translate(0,4)" fontSize="11">
        <rect x={labelW} y={0} width="10" height="10" className="bar-a" />
        <text x={labelW + 14} y={9}>
          champion
        </text>
        <rect x={labelW + 90} y={0} width="10" height="10" className="bar-b" />
        <text x={labelW + 104} y={9}>
          challenger
        </text>
      </g>
      {rows.map((r, i) => {
        const y = 24 + i * rowH;
        const wa = ((r.a ?? 0) / max) * barW;
        const wb = ((r.b ?? 0) / max) * barW;
        return (
          <g key={r.label} fontSize="12">
            <text x={labelW - 8} y={y + 15} textAnchor="end">
              {r.label}
            </text>
            <rect x={labelW} y={y + 2} width={wa} height="11" className="bar-a" />
            <text x={labelW + wa + 4} y={y + 12} fontSize="10">
              {format(r.a)}
            </text>
            <rect x={labelW} y={y + 15} width={wb} height="11" className="bar-b" />
            <text x={labelW + wb + 4} y={y + 25} fontSize="10">
              {format(r.b)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** A price on a line between low and high (the competitor band), with the current and proposed prices marked. */
export function PriceBand({
  low,
  high,
  median,
  current,
  proposed,
}: {
  low: number;
  high: number;
  median: number | null;
  current: number | null;
  proposed: number | null;
}) {
  const values = [low, high, median, current, proposed].filter((v): v is number => v !== null);
  const min = Math.min(...values) * 0.95;
  const max = Math.max(...values) * 1.05;
  const W = 460;
  const x = (v: number) => 10 + ((v - min) / (max - min || 1)) * (W - 20);
  const label = `Competitor band ${low.toFixed(2)} to ${high.toFixed(2)}${median !== null ? `, median ${median.toFixed(2)}` : ''}; current ${current?.toFixed(2) ?? 'unknown'}, proposed ${proposed?.toFixed(2) ?? 'unknown'}`;
  return (
    <svg className="price-band" viewBox={`0 0 ${W} 64`} role="img" aria-label={label}>
      <title>{label}</title>
      <line x1="10" x2={W - 10} y1="30" y2="30" className="axis" />
      <rect x={x(low)} y="22" width={Math.max(2, x(high) - x(low))} height="16" className="band" />
      {median !== null && <line x1={x(median)} x2={x(median)} y1="18" y2="42" className="median" />}
      {current !== null && (
        <g>
          <circle cx={x(current)} cy="30" r="5" className="dot-current" />
          <text x={x(current)} y="12" textAnchor="middle" fontSize="11">
            now ${current.toFixed(2)}
          </text>
        </g>
      )}
      {proposed !== null && (
        <g>
          <circle cx={x(proposed)} cy="30" r="5" className="dot-proposed" />
          <text x={x(proposed)} y="58" textAnchor="middle" fontSize="11">
            proposed ${proposed.toFixed(2)}
          </text>
        </g>
      )}
    </svg>
  );
}

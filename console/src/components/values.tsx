import { words } from '../format';

/** An object the API types loosely (a run's result), shown as label / value rows; nested values as JSON. */
export function KeyValues({ value, label }: { value: unknown; label: string }) {
  if (value === null || value === undefined) return <p className="muted">—</p>;
  if (typeof value !== 'object') return <p>{String(value)}</p>;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return <p className="muted">—</p>;
  return (
    <div className="table-wrap">
      <table aria-label={label} className="kv">
        <tbody>
          {entries.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{words(k)}</th>
              <td>{v === null ? '—' : typeof v === 'object' ? <pre className="json">{JSON.stringify(v, null, 1)}</pre> : String(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

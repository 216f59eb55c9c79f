import { useState } from 'react';
import { Link } from 'react-router';
import { PROCESSES, PROCESS_LABELS, type Process } from '../api';
import { Badge, ErrorBox, StatusBadge, Updated } from '../components/ui';
import { dateTime, words } from '../format';
import { usePolling } from '../hooks';
import { listRuns } from '../process-api';

type Status = 'running' | 'completed' | 'failed' | 'cancelled';

/** Runs of one process within the caller's scope (Temporal visibility through the API). */
export function RunsPage() {
  const [process, setProcess] = useState<Process>('appointment-recoveries');
  const [status, setStatus] = useState<Status | ''>('running');
  const runs = usePolling(() => listRuns(process, status || undefined), 5000, [process, status]);
  return (
    <>
      <div className="page-head">
        <h1>Runs</h1>
        <Updated at={runs.at} error={runs.error} />
      </div>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Process
          <select value={process} onChange={(e) => setProcess(e.target.value as Process)}>
            {PROCESSES.map((p) => (
              <option key={p} value={p}>
                {PROCESS_LABELS[p]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value as Status | '')}>
            <option value="">any</option>
            <option value="running">running</option>
            <option value="completed">completed</option>
            <option value="failed">failed</option>
            <option value="cancelled">cancelled</option>
          </select>
        </label>
      </form>
      {runs.error && !runs.data && <ErrorBox>{runs.error}</ErrorBox>}
      {runs.data && runs.data.length === 0 && <p className="empty">No runs.</p>}
      {runs.data && runs.data.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Runs">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Status</th>
                <th scope="col">Stage</th>
                <th scope="col">Store</th>
                <th scope="col">Started</th>
                <th scope="col">
                  <span className="visually-hidden">Approval</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {runs.data.map((r) => (
                <tr key={r.workflowId}>
                  <td>
                    <Link to={`/runs/${process}/${encodeURIComponent(r.id)}`}>{r.id}</Link>
                  </td>
                  <td>
                    <StatusBadge status={r.status} />
                  </td>
                  <td>{words(r.stage)}</td>
                  <td>{r.storeId ?? '—'}</td>
                  <td>{dateTime(r.startedAt)}</td>
                  <td>
                    {r.approvalPending && (
                      <Link to={`/approvals/${process}/${encodeURIComponent(r.id)}`}>
                        <Badge tone="info">approval pending</Badge>
                      </Link>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

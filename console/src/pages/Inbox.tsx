import { Link } from 'react-router';
import { api, isProcess, must, PROCESS_LABELS, type InboxItem } from '../api';
import { Badge, ErrorBox, Updated } from '../components/ui';
import { dateTime, relative } from '../format';
import { useNow, usePolling } from '../hooks';

/** Inbox rows are refreshed this often, so a new approval shows within 5 s. */
export const INBOX_REFRESH_MS = 4000;

export function approvalLink(item: InboxItem): string {
  return `/approvals/${item.process}/${encodeURIComponent(item.processId)}${item.process === 'replenishments' ? `?po=${encodeURIComponent(item.subjectId)}` : ''}`;
}

export function InboxPage() {
  const now = useNow(5000);
  const inbox = usePolling(async () => must(await api.GET('/api/v1/approvals', { params: { query: { status: 'pending' } } })).items, INBOX_REFRESH_MS, []);
  const items = inbox.data ?? [];
  return (
    <>
      <div className="page-head">
        <h1>Inbox</h1>
        <Updated at={inbox.at} error={inbox.error} />
      </div>
      <p className="muted">Approvals waiting for you, soonest due first. New ones appear here on their own.</p>
      {inbox.error && !inbox.data && <ErrorBox>{inbox.error}</ErrorBox>}
      {inbox.data && items.length === 0 && <p className="empty">Nothing is waiting for you.</p>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="inbox" aria-label="Pending approvals">
            <thead>
              <tr>
                <th scope="col">Approval</th>
                <th scope="col">Process</th>
                <th scope="col">Store</th>
                <th scope="col">Level</th>
                <th scope="col">Due</th>
                <th scope="col">
                  <span className="visually-hidden">Status</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => {
                const overdue = new Date(item.dueAt).getTime() < now;
                return (
                  <tr key={item.id} data-process-id={item.processId} data-subject-id={item.subjectId}>
                    <td>
                      <Link to={approvalLink(item)} className="row-link">
                        {item.title}
                      </Link>
                    </td>
                    <td>{isProcess(item.process) ? PROCESS_LABELS[item.process] : item.process}</td>
                    <td>{item.storeId ?? 'chain-wide'}</td>
                    <td>
                      {item.level} of {item.levelCount}
                    </td>
                    <td>
                      <time dateTime={item.dueAt} title={dateTime(item.dueAt)}>
                        {relative(item.dueAt, now)}
                      </time>
                    </td>
                    <td className="badges">
                      {overdue && <Badge tone="bad">overdue</Badge>}
                      {item.escalated && <Badge tone="warn">escalated</Badge>}
                      {!item.canDecide && <Badge>view only</Badge>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

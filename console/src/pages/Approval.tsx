import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { isProcess, PROCESS_LABELS } from '../api';
import { DecisionFlash } from '../components/decision';
import { ErrorBox, Notice, StatusBadge, Updated } from '../components/ui';
import { usePolling } from '../hooks';
import { getState } from '../process-api';
import { CampaignDecision } from './decide/Campaign';
import { ModelDecision } from './decide/Model';
import { PriceDecision } from './decide/Price';
import { RecoveryDecision } from './decide/Recovery';
import { ReplenishmentDecision } from './decide/Replenishment';
import { words } from '../format';

/** The decision page of one process run: `/console/approvals/<process>/<id>` (emails link here). */
export function ApprovalPage() {
  const { process, id } = useParams();
  const valid = isProcess(process) && !!id;
  const [flash, setFlash] = useState<string | null>(null);
  const [search] = useSearchParams();
  const loaded = usePolling(() => (valid ? getState(process, id, 'context') : Promise.reject(new Error('Unknown process'))), 5000, [process, id]);
  if (!valid) return <ErrorBox title="Not found">No process {process}.</ErrorBox>;
  const runLink = `/runs/${process}/${encodeURIComponent(id)}`;
  const d = loaded.data;
  // A replenishment run has one approval per purchase order: the title is the one shown.
  const pendingTitle =
    d?.process === 'replenishments'
      ? (d.state.pendingApprovals.find((p) => p?.subjectId === search.get('po')) ?? d.state.pendingApprovals[0])?.title
      : (d?.state.pendingApproval as { title?: string } | null | undefined)?.title;
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">{PROCESS_LABELS[process]} · approval</p>
          <h1>{pendingTitle ?? id}</h1>
          {d && (
            <p className="subhead">
              <StatusBadge status={d.state.status} /> stage <strong>{words(d.state.stage)}</strong> · <Link to={runLink}>Run details</Link>
            </p>
          )}
        </div>
        <Updated at={loaded.at} error={loaded.error} />
      </div>
      {flash && (
        <Notice>
          {flash} <Link to={runLink}>Follow the run</Link>
        </Notice>
      )}
      {loaded.error && !d && <ErrorBox>{loaded.error}</ErrorBox>}
      <DecisionFlash.Provider value={setFlash}>
        {d?.process === 'appointment-recoveries' && <RecoveryDecision id={id} state={d.state} reload={loaded.reload} runLink={runLink} />}
        {d?.process === 'replenishments' && <ReplenishmentDecision id={id} state={d.state} reload={loaded.reload} runLink={runLink} />}
        {d?.process === 'price-changes' && <PriceDecision id={id} state={d.state} reload={loaded.reload} runLink={runLink} />}
        {d?.process === 'campaigns' && <CampaignDecision id={id} state={d.state} reload={loaded.reload} runLink={runLink} />}
        {d?.process === 'model-retrainings' && <ModelDecision id={id} state={d.state} reload={loaded.reload} runLink={runLink} />}
      </DecisionFlash.Provider>
    </>
  );
}

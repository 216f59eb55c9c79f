import type { Schemas } from '../../api';
import { PairedBars } from '../../components/charts';
import { DecisionColumn, DecisionForm } from '../../components/decision';
import { Badge, Notice, Section } from '../../components/ui';
import { num, pct, words } from '../../format';
import { decide } from '../../process-api';
import type { DecisionViewProps } from './decision-view';

type State = Schemas['ModelRetrainingState'];
type Metrics = Schemas['ForecastMetrics'];

const better = (a: number | null, b: number | null, absolute = false) => {
  if (a === null || b === null) return null;
  const x = absolute ? Math.abs(a) : a;
  const y = absolute ? Math.abs(b) : b;
  return y < x ? 'good' : y > x ? 'bad' : null;
};

function MetricCells({ champion, challenger }: { champion: Metrics | null; challenger: Metrics | null }) {
  const rows: [keyof Metrics, (n: number | null) => string, boolean][] = [
    ['wape', (n) => pct(n), false],
    ['bias', (n) => pct(n), true],
    ['mase', (n) => num(n, 3), false],
  ];
  return (
    <>
      {rows.map(([k, f, abs]) => {
        const a = champion?.[k] ?? null;
        const b = challenger?.[k] ?? null;
        const tone = better(a, b, abs);
        return (
          <td key={k} className="num">
            {f(a)} → <span className={tone === 'good' ? 'text-good' : tone === 'bad' ? 'text-bad' : ''}>{f(b)}</span>
          </td>
        );
      })}
    </>
  );
}

export function ModelDecision({ id, state, reload, runLink }: DecisionViewProps<State>) {
  const ctx = state.promotionContext;
  const pending = state.pendingApproval;
  return (
    <div className="grid">
      <div className="col-main">
        {!ctx && <Notice>No evaluation yet: the challenger is still training or being evaluated.</Notice>}
        {ctx && (
          <>
            <Section
              title={`${state.modelName}: ${ctx.championLabel} vs challenger v${ctx.challengerVersion ?? '?'}`}
              aside={ctx.verdict && <Badge tone={ctx.verdict.propose ? 'good' : 'bad'}>{ctx.verdict.propose ? 'rule: promote' : 'rule: keep champion'}</Badge>}
            >
              {ctx.verdict && (
                <>
                  <p>
                    <strong>Verdict:</strong> {ctx.verdict.reason}
                  </p>
                  <ul className="checks">
                    {ctx.verdict.checks.map((c) => (
                      <li key={c.name}>
                        <Badge tone={c.passed ? 'good' : 'bad'}>{c.passed ? 'pass' : 'fail'}</Badge> {words(c.name)}: {c.detail}
                      </li>
                    ))}
                  </ul>
                </>
              )}
              <div className="table-wrap">
                <table aria-label="Champion vs challenger on the holdout">
                  <thead>
                    <tr>
                      <th scope="col">Holdout</th>
                      <th scope="col" className="num">
                        WAPE
                      </th>
                      <th scope="col" className="num">
                        Bias
                      </th>
                      <th scope="col" className="num">
                        MASE
                      </th>
                      <th scope="col" className="num">
                        Series better / worse / same
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    <tr>
                      <th scope="row">Overall</th>
                      <MetricCells champion={ctx.overall.champion} challenger={ctx.overall.challenger} />
                      <td className="num">
                        {ctx.overall.series.improved} / {ctx.overall.series.worse} / {ctx.overall.series.unchanged}
                      </td>
                    </tr>
                    {ctx.byCategory.map((c) => (
                      <tr key={c.category}>
                        <th scope="row">{words(c.category)}</th>
                        <MetricCells champion={c.champion} challenger={c.challenger} />
                        <td className="num">
                          {c.series.improved} / {c.series.worse} / {c.series.unchanged}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <p className="muted small">Champion → challenger; green where the challenger is better (lower WAPE and MASE, bias nearer zero).</p>
            </Section>
            <Section title="WAPE by category">
              <PairedBars
                rows={[
                  { label: 'overall', a: ctx.overall.champion.wape, b: ctx.overall.challenger.wape },
                  ...ctx.byCategory.map((c) => ({ label: words(c.category), a: c.champion?.wape ?? null, b: c.challenger?.wape ?? null })),
                ]}
                format={(n) => pct(n)}
              />
            </Section>
          </>
        )}
      </div>
      <DecisionColumn
        pending={pending}
        status={state.status}
        decisions={state.decisions}
        form={(p) => (
          <DecisionForm
            pending={p}
            runLink={runLink}
            approveLabel="Promote the challenger"
            onDecide={async (decision, comment) => {
              await decide('model-retrainings', id, { decision, ...(comment ? { comment } : {}) });
              await reload();
            }}
          />
        )}
      />
    </div>
  );
}

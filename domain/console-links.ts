/**
 * Where the manager console shows an approval or a run. Emails link here and the console routes
 * the same paths, so both are built from this one place.
 */
export const CONSOLE_PROCESSES = ['appointment-recoveries', 'replenishments', 'price-changes', 'campaigns', 'model-retrainings'] as const;
export type ConsoleProcess = (typeof CONSOLE_PROCESSES)[number];

export function isConsoleProcess(value: string): value is ConsoleProcess {
  return (CONSOLE_PROCESSES as readonly string[]).includes(value);
}

/** The decision page of a pending approval: `/console/approvals/<process>/<workflowId>`. */
export function consoleApprovalPath(process: ConsoleProcess, workflowId: string): string {
  return `/console/approvals/${process}/${encodeURIComponent(workflowId)}`;
}

/** The page of one run (stage, decisions, effects): `/console/runs/<process>/<workflowId>`. */
export function consoleRunPath(process: ConsoleProcess, workflowId: string): string {
  return `/console/runs/${process}/${encodeURIComponent(workflowId)}`;
}

export function consoleUrl(publicBaseUrl: string, path: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}${path}`;
}

/** The process and ID of a public API path `/api/v1/<process>/<id>`, or null for any other path. */
export function processOfApiPath(apiPath: string): { process: ConsoleProcess; id: string } | null {
  const m = /^\/api\/v1\/([a-z-]+)\/([^/?#]+)$/.exec(apiPath);
  if (!m || !isConsoleProcess(m[1]!)) return null;
  let id: string;
  try {
    id = decodeURIComponent(m[2]!);
  } catch {
    return null;
  }
  return { process: m[1], id };
}

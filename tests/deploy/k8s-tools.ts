/**
 * Helm and kubeconform as scripts/install-k8s-tools.sh installed them (.tools/k8s/tools.json):
 * render the chart, validate what it renders against the Kubernetes schemas.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CHART_DIR = path.join(REPO_ROOT, 'deploy', 'helm', 'retail-ops');

interface K8sTools {
  helm: string;
  kubeconform: string;
  schemaLocation: string;
  kubernetesVersion: string;
}

export function k8sTools(): K8sTools {
  const manifest = path.join(REPO_ROOT, '.tools', 'k8s', 'tools.json');
  if (!existsSync(manifest)) {
    throw new Error(`${manifest} is missing: npm test installs Helm and kubeconform (bash scripts/install-k8s-tools.sh)`);
  }
  return JSON.parse(readFileSync(manifest, 'utf8')) as K8sTools;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  [key: string]: unknown;
}

export interface Rendered {
  ok: boolean;
  manifest: string;
  stderr: string;
  objects: K8sObject[];
}

/** `helm template` of a chart with values files and --set pairs. */
export function helmTemplate(opts: { chartDir?: string; valuesFiles?: string[]; set?: string[] } = {}): Rendered {
  const args = ['template', 'retail-ops', opts.chartDir ?? CHART_DIR, '--namespace', 'retail-ops'];
  for (const file of opts.valuesFiles ?? []) args.push('--values', file);
  for (const pair of opts.set ?? []) args.push('--set', pair);
  const run = spawnSync(k8sTools().helm, args, { encoding: 'utf8' });
  if (run.error) throw run.error;
  const objects =
    run.status === 0
      ? parseAllDocuments(run.stdout)
          .map((d) => d.toJS() as K8sObject)
          .filter((o) => o !== null)
      : [];
  return { ok: run.status === 0, manifest: run.stdout, stderr: run.stderr, objects };
}

export interface Validation {
  resources: { kind: string; name: string; status: string; msg: string }[];
  summary: { valid: number; invalid: number; errors: number; skipped: number };
}

/** kubeconform, strict (unknown fields and duplicate keys refused), offline against the installed schemas. */
export function kubeconform(manifest: string): Validation {
  const tools = k8sTools();
  const run = spawnSync(
    tools.kubeconform,
    ['-strict', '-summary', '-output', 'json', '-verbose', '-kubernetes-version', tools.kubernetesVersion, '-schema-location', tools.schemaLocation, '-'],
    { input: manifest, encoding: 'utf8' },
  );
  if (run.error) throw run.error;
  if (!run.stdout.trim()) throw new Error(`kubeconform printed nothing (exit ${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as Validation;
}

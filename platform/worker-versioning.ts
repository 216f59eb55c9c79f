import type { WorkerOptions } from '@temporalio/worker';
import { codeVersion } from './code-version';

/**
 * Worker Versioning, when a deployment name is configured: the worker joins the Worker Deployment
 * under a build id from the code version, and new runs go to whichever version the operator has made
 * current (`temporal worker deployment set-current-version`). Runs move to the new current version
 * at their next task (auto-upgrade): this project's runs live for days or weeks (a price change's
 * sales watch, a purchase order's supplier events), so pinning them would keep every old build's
 * workers running until its last run closes. Auto-upgrade is why the patched() discipline still
 * holds (README: "Safe rollouts of workflow code").
 */
export function workerVersioning(deploymentName: string | undefined, buildId: string = codeVersion()): Partial<WorkerOptions> {
  if (!deploymentName) return {};
  return {
    workerDeploymentOptions: {
      useWorkerVersioning: true,
      version: { deploymentName, buildId },
      defaultVersioningBehavior: 'AUTO_UPGRADE',
    },
  };
}

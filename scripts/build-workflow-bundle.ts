/**
 * `npm run build:workflows [-- <file>]`: bundles workflows/ and its interceptors once, as the worker would at start, into
 * a file (default .data/workflow-bundle.js) that a worker loads with WORKFLOW_BUNDLE_PATH. Used by
 * the soak (it restarts workers every 10 s) and by images that should start workers quickly.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { workflowBundleOptions } from '../platform/worker-interceptors';

export async function buildWorkflowBundle(file: string): Promise<void> {
  const bundle = await bundleWorkflowCode({ ...workflowBundleOptions(), logger: new DefaultLogger('WARN') });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bundle.code);
}

if (require.main === module) {
  const file = resolve(process.argv[2] ?? '.data/workflow-bundle.js');
  const t0 = Date.now();
  buildWorkflowBundle(file).then(
    () =>
      console.log(
        `${file} (${Math.round(statSync(file).size / 1024)} KB) in ${((Date.now() - t0) / 1000).toFixed(1)} s; start workers with WORKFLOW_BUNDLE_PATH=${file}`,
      ),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}

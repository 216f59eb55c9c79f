/**
 * Worker Versioning on the dev server: a worker configured with a deployment name joins the Worker
 * Deployment under the code version's build id, and once that version is made current a new run
 * is dispatched to it with the auto-upgrade behaviour (platform/worker-versioning.ts).
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { workerVersioning } from '../../platform/worker-versioning';
import { codeVersion } from '../../platform/code-version';
import { testEnv } from '../../scripts/kit/env';
import { eventually, quietRuntime, workflowBundle } from '../../scripts/kit/harness';
import { modelRetraining } from '../../workflows/model-retraining/workflow';

test('unversioned by default: no deployment options without a deployment name', () => {
  expect(workerVersioning(undefined)).toEqual({});
  expect(workerVersioning('')).toEqual({});
});

test('a versioned worker takes new runs once its build is the current version, auto-upgrading', async () => {
  quietRuntime();
  const env = testEnv();
  const connection = await Connection.connect({ address: env.temporalAddress });
  const client = new Client({ connection, namespace: env.namespace });
  const nativeConnection = await NativeConnection.connect({ address: env.temporalAddress });
  const deploymentName = `retail-ops-test-${randomUUID().slice(0, 8)}`;
  const buildId = codeVersion();
  const taskQueue = `versioned-${randomUUID()}`;
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: env.namespace,
    taskQueue,
    workflowBundle: await workflowBundle(),
    ...workerVersioning(deploymentName, buildId),
  });
  const running = worker.run();
  const workflowId = `versioned-${randomUUID()}`;
  try {
    // The version exists once the worker has polled; then it can be made current.
    await eventually(
      async () => {
        try {
          await client.workflowService.setWorkerDeploymentCurrentVersion({ namespace: env.namespace, deploymentName, buildId, identity: 'test' });
          return true;
        } catch {
          return false;
        }
      },
      20_000,
      'the worker deployment version made current',
    );
    const handle = await client.workflow.start(modelRetraining, {
      taskQueue,
      workflowId,
      args: [{ modelName: 'versioning-test', trigger: 'manual', requestedBy: 'test' } as never],
    });
    const info = await eventually(
      async () => {
        const { raw } = await handle.describe();
        const v = raw.workflowExecutionInfo?.versioningInfo;
        return v?.deploymentVersion?.buildId ? v : undefined;
      },
      20_000,
      'the run dispatched to the versioned worker',
    );
    expect(info.deploymentVersion?.deploymentName).toBe(deploymentName);
    expect(info.deploymentVersion?.buildId).toBe(buildId);
    expect(String(info.behavior)).toMatch(/AUTO_UPGRADE|2/);
  } finally {
    await client.workflow
      .getHandle(workflowId)
      .terminate('test done')
      .catch(() => undefined);
    worker.shutdown();
    await running;
    await nativeConnection.close();
    await connection.close();
  }
});

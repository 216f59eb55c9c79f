/**
 * Preloaded into the soak's worker processes (`node --require <this> --import tsx workers/main.ts`):
 * when SOAK_WORKFLOW_BUNDLE names a file, Worker.create loads that prebuilt workflow bundle instead
 * of bundling workers/main.ts's workflowsPath again. The soak builds the bundle once from the same
 * workflows/ code: bundling takes most of a minute on two busy cores, and the soak kills a worker
 * every 10 s. Everything else about the worker (config, connections, activities) is workers/main.ts's.
 * Plain CommonJS: the SDK's workflow threads inherit the preload flags but not tsx's hooks.
 */
'use strict';
const codePath = process.env.SOAK_WORKFLOW_BUNDLE;
if (codePath) {
  const { Worker } = require('@temporalio/worker');
  const create = Worker.create.bind(Worker);
  Worker.create = (options) => {
    if (!options.workflowsPath) return create(options);
    const { workflowsPath: _bundledAlready, ...rest } = options;
    return create({ ...rest, workflowBundle: { codePath } });
  };
}

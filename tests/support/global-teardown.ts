/**
 * Jest global teardown (jest.config.js): stops the Temporal dev server the global setup started
 * (nothing when it reused TEST_TEMPORAL_ADDRESS) and drops a per-run database. See
 * scripts/kit/infra.ts.
 */
import { teardownTestRun } from '../../scripts/kit/infra';

export default teardownTestRun;

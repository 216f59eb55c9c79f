/**
 * Jest global setup (jest.config.js): the tests' own Temporal dev server and database, never the
 * ones `npm start` uses. The infrastructure is shared with the benchmarks: scripts/kit/infra.ts.
 */
import { setupTestRun } from '../../scripts/kit/infra';

export default setupTestRun;

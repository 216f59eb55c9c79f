import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/**
 * The application failure an activity raised: an activity's failure arrives wrapped in an
 * ActivityFailure, a local activity's as the ApplicationFailure itself.
 */
export function activityApplicationFailure(err: unknown): ApplicationFailure | undefined {
  if (err instanceof ActivityFailure) return err.cause instanceof ApplicationFailure ? err.cause : undefined;
  return err instanceof ApplicationFailure ? err : undefined;
}

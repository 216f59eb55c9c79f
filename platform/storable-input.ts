import { findTextProblems, type TextProblem } from '../domain/storable-text';

/**
 * A start input holding text Postgres cannot store or SMTP carry (domain/storable-text.ts). The
 * starters throw it before starting anything. `status` 400 lets the API's error handler answer it
 * as a problem+json 400 should a route ever let such input through; in a Schedule's kickoff
 * activity it fails the activity non-retryably as InvalidData (activities/shared/data-errors.ts).
 */
export class UnstorableInputError extends Error {
  override name = 'UnstorableInputError';
  readonly status = 400;

  constructor(readonly problems: TextProblem[]) {
    super(`Input refused: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}.`);
  }
}

/** Throws UnstorableInputError naming every field of `input` that cannot be stored (fields as `<root>.<path>`). */
export function assertStorableInput(input: unknown, root: string): void {
  const problems = findTextProblems(input, root);
  if (problems.length > 0) throw new UnstorableInputError(problems);
}

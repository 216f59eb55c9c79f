/** What every per-process decision view receives. */
export interface DecisionViewProps<S> {
  id: string;
  state: S;
  reload(): Promise<void>;
  runLink: string;
}

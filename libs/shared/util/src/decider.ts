/**
 * A decider: the pure heart of an aggregate. `decide` turns a command and the current state into
 * the events that record what happened (or throws a ServiceError); `evolve` folds one event into
 * the state. Nothing here touches a database, a broker or a framework.
 */
export interface Decider<Command, State, Event> {
  initialState: () => State;
  decide: (command: Command, state: State) => Event[];
  evolve: (state: State, event: Event) => State;
}

export function foldEvents<State, Event>(
  decider: Pick<Decider<unknown, State, Event>, 'initialState' | 'evolve'>,
  events: Iterable<Event>,
): State {
  let state = decider.initialState();
  for (const event of events) state = decider.evolve(state, event);
  return state;
}

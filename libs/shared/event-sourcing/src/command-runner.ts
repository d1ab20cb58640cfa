import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  formatPosition,
  handleCommand,
  type EventStore,
  type HandleCommandOptions,
  type Position,
} from '@orgplane/event-store';
import { EVENT_STORE, ReadModels } from './event-sourcing.module';

export interface RunCommandOptions<Command, State, Event> extends Omit<
  HandleCommandOptions<Command, State, Event>,
  'store'
> {
  /**
   * Runs once the read models hold what was appended (or the wait's bound ran out): the moment to
   * tell whoever caches this state (gateways) to read it again. Not called when nothing changed.
   */
  afterVisible?(outcome: { events: Event[]; state: State; position: Position }): void;
}

export interface CommandOutcome<State, Event> {
  events: Event[];
  state: State;
  /** for the reply; absent when the command changed nothing */
  position?: string;
}

/**
 * The write path of every command: decide and append (handleCommand re-decides when another
 * writer got there first), then read-your-writes: answer only once this service's read models
 * hold the events (bounded; past the bound the write still stands and its position goes out with
 * the reply), and only then announce the change (`afterVisible`), so that a cache reading again
 * on the notice sees the new state.
 */
@Injectable()
export class CommandRunner {
  private readonly logger = new Logger(CommandRunner.name);

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModels: ReadModels,
  ) {}

  async run<Command, State, Event>({
    afterVisible,
    ...options
  }: RunCommandOptions<Command, State, Event>): Promise<CommandOutcome<State, Event>> {
    const { events, state, position } = await handleCommand({ store: this.store, ...options });
    if (!position) return { events, state };
    if (!(await this.readModels.reached(position))) {
      this.logger.warn(
        `${options.streamName}: the read models have not reached ${formatPosition(position)} yet`,
      );
    }
    afterVisible?.({ events, state, position });
    return { events, state, position: formatPosition(position) };
  }
}

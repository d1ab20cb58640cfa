import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  formatPosition,
  handleCommand,
  type EventStore,
  type HandleCommandOptions,
} from '@orgplane/event-store';
import { EVENT_STORE, ReadModels } from '@orgplane/event-sourcing';
import { AccessChanges } from './access-changes';

export interface RunCommandOptions<Command, State, Event> extends Omit<
  HandleCommandOptions<Command, State, Event>,
  'store'
> {
  /** the users whose memberships or active organization the appended events changed */
  accessChangedFor(events: Event[], state: State): readonly string[];
}

export interface CommandOutcome<State, Event> {
  events: Event[];
  state: State;
  /** for the reply; absent when the command changed nothing */
  position?: string;
}

/**
 * The write path of every command: decide and append (handleCommand re-decides when another writer
 * got there first), then read-your-writes: answer only once this service's read models hold the
 * events (bounded; past the bound the write still stands and its position goes out with the
 * reply), and only then tell the gateways whose access changed, so that their next read sees it.
 */
@Injectable()
export class CommandRunner {
  private readonly logger = new Logger(CommandRunner.name);

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModels: ReadModels,
    private readonly accessChanges: AccessChanges,
  ) {}

  async run<Command, State, Event>({
    accessChangedFor,
    ...options
  }: RunCommandOptions<Command, State, Event>): Promise<CommandOutcome<State, Event>> {
    const { events, state, position } = await handleCommand({ store: this.store, ...options });
    if (!position) return { events, state };
    if (!(await this.readModels.reached(position))) {
      this.logger.warn(
        `${options.streamName}: the read models have not reached ${formatPosition(position)} yet`,
      );
    }
    this.accessChanges.announce(accessChangedFor(events, state), position);
    return { events, state, position: formatPosition(position) };
  }
}

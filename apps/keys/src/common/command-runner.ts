import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  formatPosition,
  handleCommand,
  type EventStore,
  type HandleCommandOptions,
} from '@orgplane/event-store';
import { EVENT_STORE, ReadModels } from '@orgplane/event-sourcing';
import { ApiKeyChanges } from './api-key-changes';

export interface RunCommandOptions<Command, State, Event> extends Omit<
  HandleCommandOptions<Command, State, Event>,
  'store'
> {
  /** the API-key hashes gateways must forget once the events are visible (none for SSH keys) */
  changedKeyHashes?(state: State): readonly string[];
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
 * the reply), and only then tell the gateways which key hashes to resolve again, so that they
 * read the new state. The membership service's runner does the same with access changes; the
 * pattern belongs in a shared library, with the notice as a parameter.
 */
@Injectable()
export class CommandRunner {
  private readonly logger = new Logger(CommandRunner.name);

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModels: ReadModels,
    private readonly apiKeyChanges: ApiKeyChanges,
  ) {}

  async run<Command, State, Event>({
    changedKeyHashes,
    ...options
  }: RunCommandOptions<Command, State, Event>): Promise<CommandOutcome<State, Event>> {
    const { events, state, position } = await handleCommand({ store: this.store, ...options });
    if (!position) return { events, state };
    if (!(await this.readModels.reached(position))) {
      this.logger.warn(
        `${options.streamName}: the read models have not reached ${formatPosition(position)} yet`,
      );
    }
    if (changedKeyHashes) this.apiKeyChanges.announce(changedKeyHashes(state));
    return { events, state, position: formatPosition(position) };
  }
}

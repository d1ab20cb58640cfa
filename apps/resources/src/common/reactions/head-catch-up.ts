import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, ReadModels } from '@orgplane/event-sourcing';
import type { EventStore } from '@orgplane/event-store';
import { waitForProjections } from '@orgplane/projections';
import { DataSource } from 'typeorm';
import { RESOURCES_CONFIG, type ResourcesConfig } from '../../resources.config';
import { REACTIONS_PROJECTION } from './reactions';

/**
 * For a read that found nothing where the platform already promised something: the
 * create-organization reply names the default project and the creator's Personal workspace
 * (their ids derive from the organization's and the user's) while this service has yet to create
 * them, by reaction. Before such a read answers 404, or lists without them, it waits until the
 * reactions have handled everything the event store held when asked, and the read models hold
 * what the reactions appended, then looks again.
 */
@Injectable()
export class HeadCatchUp {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly readModels: ReadModels,
    @Inject(RESOURCES_CONFIG) private readonly config: ResourcesConfig,
  ) {}

  /** `find`, and once more after catching up if it found nothing. */
  async find<Found>(find: () => Promise<Found | null>): Promise<Found | null> {
    const found = await find();
    if (found !== null) return found;
    await this.reachHead();
    return find();
  }

  /**
   * true once the reactions and then the read models have reached the store's head; false when
   * CONSISTENCY_WAIT_MS ran out first (the caller then answers from what it has).
   */
  async reachHead(): Promise<boolean> {
    const deadline = Date.now() + this.config.CONSISTENCY_WAIT_MS;
    const head = await this.store.headPosition();
    if (!head) return true;
    const reacted = await waitForProjections(
      this.dataSource,
      this.config.READ_MODEL_SCHEMA,
      [REACTIONS_PROJECTION],
      head,
      Math.max(0, deadline - Date.now()),
    );
    if (!reacted) return false;
    // A reaction appends before its checkpoint commits: this head covers what it appended.
    const reactedHead = await this.store.headPosition();
    return reactedHead === null || this.within(deadline, this.readModels.reached(reactedHead));
  }

  /** ReadModels waits up to the whole bound on its own; this wait has only what is left of it. */
  private async within(deadline: number, wait: Promise<boolean>): Promise<boolean> {
    const timer = new AbortController();
    try {
      return await Promise.race([
        wait,
        sleep(Math.max(0, deadline - Date.now()), false, { signal: timer.signal }).catch(
          () => false,
        ),
      ]);
    } finally {
      timer.abort();
    }
  }
}

import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import type { EntityManager } from 'typeorm';
import { currentProjectOf } from './deleted-project.entity';

/** For command replies built from a key's stream, which may still name a deleted project. */
@Injectable()
export class CurrentProjectsQuery {
  constructor(@InjectEntityManager() private readonly manager: EntityManager) {}

  of(projectId: string | null): Promise<string | null> {
    return currentProjectOf(this.manager, projectId);
  }
}

import { Module } from '@nestjs/common';
import { HeadCatchUp } from './head-catch-up';
import { Reactions } from './reactions';

/** Imported by every feature with a reaction or a read that may need to catch up: one instance. */
@Module({ providers: [Reactions, HeadCatchUp], exports: [Reactions, HeadCatchUp] })
export class ReactionsModule {}

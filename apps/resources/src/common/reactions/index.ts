export { ReactionsModule } from './reactions.module';
export { HeadCatchUp } from './head-catch-up';
export { Reactions, REACTIONS_PROJECTION, reactionMetadata } from './reactions';

/** Request/reply subjects the resources service answers (queue group `resources`). */
export const RESOURCES_SUBJECTS = {
  health: 'resources.v1.health',
} as const;

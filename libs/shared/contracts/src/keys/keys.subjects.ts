/** Request/reply subjects the keys service answers (queue group `keys`). */
export const KEYS_SUBJECTS = {
  health: 'keys.v1.health',
} as const;

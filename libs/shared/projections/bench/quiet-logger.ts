import type { ProjectionLogger } from '../src/projection-runner';

/** Keeps the runners' routine lines out of the report; failures still reach stderr. */
export const quietLogger: ProjectionLogger = {
  log: () => undefined,
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
};

import { ConfigurationError } from '@orgplane/util';

/**
 * What a `main.ts` does: start the process, or exit 1 with a readable reason. A configuration
 * error prints only its message, which names every variable that is wrong.
 */
export function runService(start: () => Promise<unknown>): void {
  Promise.resolve()
    .then(start)
    .catch((error: unknown) => {
      console.error(error instanceof ConfigurationError ? error.message : error);
      process.exit(1);
    });
}

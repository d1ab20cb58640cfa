import {
  startPrivatePostgres,
  type PrivatePostgres,
  type ServiceProcess,
  type Traffic,
  type TrafficAttempt,
} from '@orgplane/testing';
import { Stack } from './stack';

// What the fault tests share: a client keeps sending requests while a fault comes and goes;
// requests may fail meanwhile, as 503 only, and once the fault is over they succeed again within
// a bound.

/** The gateway's default request timeout; a write waits up to FAULT_CONSISTENCY_WAIT_MS within it. */
export const FAULT_REQUEST_TIMEOUT_MS = 5000;
export const FAULT_CONSISTENCY_WAIT_MS = 1000;
/** after a fault is over, requests succeed again within this */
export const RECOVERY_BOUND_MS = 10_000;
/** requests in flight at once, and each worker's pause between two */
export const FAULT_TRAFFIC = { workers: 3, pauseMs: 20 };

/** acknowledged requests before the fault: the traffic flows */
const SUCCESSES_BEFORE_FAULT = 10;
/** acknowledged requests in a row, all sent after the fault, that show the system works again */
const SUCCESSES_IN_A_ROW = 10;

/**
 * A stack with one instance of each service on a PostgreSQL cluster of its own, which the test may
 * restart; `stop()` ends both. One membership instance: no standby could hide a runner that fails
 * to take its lock back.
 */
export async function startStackOnPrivatePostgres(): Promise<{
  stack: Stack;
  postgres: PrivatePostgres;
  stop(): Promise<void>;
}> {
  const postgres = await startPrivatePostgres();
  try {
    const stack = await Stack.start({
      membershipInstances: 1,
      requestTimeoutMs: FAULT_REQUEST_TIMEOUT_MS,
      consistencyWaitMs: FAULT_CONSISTENCY_WAIT_MS,
      databaseUrl: postgres.url,
    });
    return {
      stack,
      postgres,
      async stop() {
        try {
          await stack.stop();
        } finally {
          await postgres.destroy();
        }
      },
    };
  } catch (error) {
    await postgres.destroy();
    throw error;
  }
}

/** what every fault test records of a response */
export interface FaultOutcome {
  status: number;
  /** the error code of a failure */
  code?: string;
}

export const acknowledged = ({ outcome }: TrafficAttempt<FaultOutcome>): boolean =>
  outcome.status >= 200 && outcome.status < 300;

/**
 * Lets `traffic` run until some requests are acknowledged, brings about the fault (`fault`
 * resolves when it is over), and lets it run on until the last SUCCESSES_IN_A_ROW attempts, all
 * sent after the fault, were acknowledged: within RECOVERY_BOUND_MS, or the test fails. Stops the
 * traffic and returns every attempt.
 */
export async function throughFault<Outcome extends FaultOutcome>(
  stack: Stack,
  traffic: Traffic<Outcome>,
  fault: () => Promise<void>,
): Promise<TrafficAttempt<Outcome>[]> {
  const logsBefore = serviceLogLengths(stack);
  let faultOverAt = Infinity;
  try {
    await traffic.until(
      `${SUCCESSES_BEFORE_FAULT} requests acknowledged before the fault`,
      (attempts) => attempts.filter(acknowledged).length >= SUCCESSES_BEFORE_FAULT,
      RECOVERY_BOUND_MS,
    );
    await fault();
    faultOverAt = performance.now();
    await traffic.until(
      `${SUCCESSES_IN_A_ROW} requests in a row acknowledged after the fault`,
      (attempts) => {
        const latest = attempts.slice(-SUCCESSES_IN_A_ROW);
        return (
          latest.length === SUCCESSES_IN_A_ROW &&
          latest.every((attempt) => attempt.startedAt >= faultOverAt && acknowledged(attempt))
        );
      },
      RECOVERY_BOUND_MS,
    );
  } catch (error) {
    // a recovery that fails now and then must be explainable from its one report
    throw new Error(
      `${String(error)}\nservices' warnings and errors since the traffic began:\n` +
        serviceWarningsSince(stack, logsBefore),
    );
  } finally {
    await traffic.stop();
  }
  return traffic.attempts;
}

/** The outcomes of failed attempts that failed otherwise than as an outage (503). */
export function failuresOtherThanOutage<Outcome extends FaultOutcome>(
  attempts: readonly TrafficAttempt<Outcome>[],
): Outcome[] {
  return attempts
    .filter((attempt) => !acknowledged(attempt) && attempt.outcome.status !== 503)
    .map(({ outcome }) => outcome);
}

/** how many lines each service process of the stack has logged so far */
function serviceLogLengths(stack: Stack): Map<ServiceProcess, number> {
  return new Map(stack.services.map((service) => [service, service.logs.length]));
}

const PINO_WARN_LEVEL = 40;
/** what a report keeps of the stderr of a process that ended: a crash's stack trace is at its end */
const STDERR_TAIL_CHARACTERS = 4000;

/**
 * Lines at warn level or above that each service logged after `logsBefore`, and for each process
 * that has ended, how it ended and the end of its stderr (a crash does not log through pino).
 */
function serviceWarningsSince(stack: Stack, logsBefore: Map<ServiceProcess, number>): string {
  return stack.services
    .flatMap((service) => [
      ...service.logs
        .slice(logsBefore.get(service) ?? 0)
        .filter((line) => Number(line.level) >= PINO_WARN_LEVEL)
        .map((line) => `  ${service.service}: ${JSON.stringify(line)}`),
      ...(service.ended
        ? [
            `  ${service.service} (pid ${service.pid}) ended with ${service.ended}; its stderr ends:\n` +
              service.stderr.text.slice(-STDERR_TAIL_CHARACTERS),
          ]
        : []),
    ])
    .join('\n');
}

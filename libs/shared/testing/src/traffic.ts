export interface TrafficAttempt<Outcome> {
  /** `performance.now()` when the request was sent */
  startedAt: number;
  /** `performance.now()` when its outcome was known */
  endedAt: number;
  outcome: Outcome;
}

export interface TrafficOptions {
  /** requests in flight at once: each worker sends its next request when the last one is done */
  workers: number;
  /** a worker's pause between two requests, so failing fast does not turn into a busy loop */
  pauseMs: number;
}

/**
 * Steady client load for fault tests: `workers` loops call `send` one request after another and
 * record every outcome with its timing, until `stop()`. `send` reports what happened (a status, an
 * id); if it throws, that worker stops and `until()` and `stop()` rethrow the error, since a test
 * client that breaks would make every later check meaningless.
 */
export class Traffic<Outcome> {
  readonly attempts: TrafficAttempt<Outcome>[] = [];
  private stopping = false;
  private failure: unknown = null;
  private readonly workers: Promise<void>[];
  private sent = 0;

  constructor(
    private readonly send: (sequence: number) => Promise<Outcome>,
    { workers, pauseMs }: TrafficOptions,
  ) {
    this.workers = Array.from({ length: workers }, () => this.work(pauseMs));
  }

  /**
   * Resolves once `condition` holds for the attempts recorded so far, checked after each one; after
   * `timeoutMs` rejects with `description`, how long it waited and the outcomes it saw meanwhile,
   * since a failure that only shows itself now and then must be explainable from its one report.
   */
  async until(
    description: string,
    condition: (attempts: readonly TrafficAttempt<Outcome>[]) => boolean,
    timeoutMs: number,
  ): Promise<void> {
    const startedAt = performance.now();
    while (!condition(this.attempts)) {
      if (this.failure) throw this.failure;
      if (this.stopping) throw new Error(`Traffic stopped before ${description}`);
      if (performance.now() - startedAt > timeoutMs) {
        const seen = this.attempts.filter((attempt) => attempt.startedAt >= startedAt);
        throw new Error(
          `Not ${description} within ${timeoutMs} ms; attempts meanwhile:\n${describeAttempts(seen, startedAt)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Lets the requests in flight finish, then returns every attempt. */
  async stop(): Promise<TrafficAttempt<Outcome>[]> {
    this.stopping = true;
    await Promise.all(this.workers);
    if (this.failure) throw this.failure;
    return this.attempts;
  }

  private async work(pauseMs: number): Promise<void> {
    while (!this.stopping && !this.failure) {
      const startedAt = performance.now();
      try {
        const outcome = await this.send(this.sent++);
        this.attempts.push({ startedAt, endedAt: performance.now(), outcome });
      } catch (error) {
        this.failure = error;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}

/** one line per attempt: when it was sent and how long it took, relative to `origin`, and its outcome */
function describeAttempts<Outcome>(
  attempts: readonly TrafficAttempt<Outcome>[],
  origin: number,
): string {
  return attempts
    .map(
      ({ startedAt, endedAt, outcome }) =>
        `  +${Math.round(startedAt - origin)} ms (${Math.round(endedAt - startedAt)} ms): ${JSON.stringify(outcome)}`,
    )
    .join('\n');
}

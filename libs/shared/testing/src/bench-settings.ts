/**
 * What every bench reads from its environment: the database it may fill, and its counts. Bad
 * values stop the bench before it runs, naming the variable.
 */

/** The benches' database; each run works in fresh schemas of it and drops them at the end. */
export function benchDatabaseUrl(): string {
  return process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/orgplane_bench';
}

export function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

export function positiveIntegers(name: string, fallback: number[]): number[] {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const values = text.split(',').map((part) => Number(part.trim()));
  if (values.some((value) => !Number.isInteger(value) || value < 1)) {
    throw new Error(`${name} must be a comma-separated list of positive integers`);
  }
  return values;
}

/** A projection runner's logger for benches: routine lines stay out of the report, failures not. */
export const quietLogger = {
  log: (): void => undefined,
  warn: (message: string): void => console.warn(message),
  error: (message: string): void => console.error(message),
};

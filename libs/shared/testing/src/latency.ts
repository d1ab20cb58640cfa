import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, relative } from 'node:path';

/** Percentiles of a set of latency samples, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles: p99 of 1,000 samples is the 10th slowest, never an interpolation. */
export function summariseLatencies(samples: readonly number[]): LatencySummary {
  if (!samples.length) throw new Error('no samples to summarise');
  const sorted = [...samples].sort((a, b) => a - b);
  const percentile = (p: number) => sorted[Math.ceil((p / 100) * sorted.length) - 1];
  const round = (milliseconds: number) => Math.round(milliseconds * 100) / 100;
  return {
    count: sorted.length,
    p50: round(percentile(50)),
    p90: round(percentile(90)),
    p99: round(percentile(99)),
    max: round(sorted[sorted.length - 1]),
  };
}

/** The 1-minute load average: benchmarks on a shared machine record how busy it was. */
export function loadAverage1m(): number {
  return Number(os.loadavg()[0].toFixed(2));
}

/** A plain-text table with a header row, columns padded to their widest cell. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]),
      )
      .join('  ');
  return [
    line(header),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.map(line),
  ].join('\n');
}

/**
 * Writes a benchmark's figures as JSON, with when it ran and on what machine, and prints where.
 */
export async function writeBenchResults(
  file: string,
  startedAt: Date,
  figures: Record<string, unknown>,
): Promise<void> {
  const results = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: {
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      cpuCount: os.cpus().length,
      node: process.version,
    },
    ...figures,
  };
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nResults: ${relative(process.cwd(), file)}`);
}

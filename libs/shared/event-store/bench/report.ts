import type { BenchSizes, SystemName, Workload } from './config';
import { SYSTEM_LABELS, WORKLOADS } from './config';
import type { PhaseResult } from './workloads';

/** One cell of the table: one workload on one system, over every repetition. */
export interface CellFigures {
  workload: Workload;
  system: SystemName;
  eventsPerSecond: number[];
  medianEventsPerSecond: number;
  /** (max - min) / 2 / median: how far repetitions strayed */
  spread: number;
  events: number[];
  elapsedMs: number[];
  /** pg round trips per append, or per page read */
  queriesPerOperation: number;
  /** reads only, per repetition: see PhaseResult */
  redelivered: number[];
  missed: number[];
}

/** Errors of repetitions that did not finish, by system; their finished cells still count. */
export type Failures = Partial<Record<SystemName, string[]>>;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function summarise(
  system: SystemName,
  workload: Workload,
  phases: PhaseResult[],
): CellFigures {
  const eventsPerSecond = phases.map((phase) => phase.events / (phase.elapsedMs / 1000));
  const medianEventsPerSecond = median(eventsPerSecond);
  return {
    workload,
    system,
    eventsPerSecond: eventsPerSecond.map(Math.round),
    medianEventsPerSecond: Math.round(medianEventsPerSecond),
    spread:
      (Math.max(...eventsPerSecond) - Math.min(...eventsPerSecond)) / 2 / medianEventsPerSecond,
    events: phases.map((phase) => phase.events),
    elapsedMs: phases.map((phase) => Math.round(phase.elapsedMs)),
    queriesPerOperation: median(phases.map((phase) => phase.queries / phase.operations)),
    redelivered: phases.map((phase) => phase.redelivered),
    missed: phases.map((phase) => phase.missed),
  };
}

export interface TargetCheck {
  workload: Workload;
  description: string;
  /** null when a figure it needs is missing */
  met: boolean | null;
}

type Lookup = (system: SystemName, workload: Workload) => number | undefined;

/** The median rate of a cell, or undefined when the cell was not measured. */
export function rateLookup(cells: CellFigures[]): Lookup {
  return (system, workload) =>
    cells.find((cell) => cell.system === system && cell.workload === workload)
      ?.medianEventsPerSecond;
}

/** The figures the adapter is judged against. */
export function checkTargets(lookup: Lookup): TargetCheck[] {
  const check = (
    workload: Workload,
    description: string,
    passes: (ours: number, raw: number | undefined, emmett: number | undefined) => boolean | null,
  ): TargetCheck => {
    const ours = lookup('ours', workload);
    const met =
      ours === undefined ? null : passes(ours, lookup('raw', workload), lookup('emmett', workload));
    return { workload, description, met };
  };
  return [
    check('single-append/concurrent', '>= 90% of raw', (ours, raw) =>
      raw === undefined ? null : ours >= 0.9 * raw,
    ),
    check('single-append/concurrent', '>= 2x Emmett', (ours, _raw, emmett) =>
      emmett === undefined ? null : ours >= 2 * emmett,
    ),
    check('batch-append/concurrent', '>= 100,000 ev/s', (ours) => ours >= 100_000),
    check('catch-up', '>= 100,000 ev/s', (ours) => ours >= 100_000),
  ];
}

export function workloadLabel(workload: Workload, sizes: BenchSizes): string {
  const labels: Record<Workload, string> = {
    'single-append/1-writer': 'single-event appends, 1 writer',
    'single-append/concurrent': `single-event appends, ${sizes.writers} writers`,
    'batch-append/1-writer': `${sizes.batchSize}-event batches, 1 writer`,
    'batch-append/concurrent': `${sizes.batchSize}-event batches, ${sizes.writers} writers`,
    'read-all': `$all read, pages of ${sizes.pageSize}`,
    'catch-up': `catch-up subscription, batches of ${sizes.pageSize}`,
  };
  return labels[workload];
}

const formatRate = (value: number) => Math.round(value).toLocaleString('en-US');
const formatRatio = (value: number) => `${value.toFixed(2)}x`;

function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[0]) : cell.padStart(widths[column]),
      )
      .join('  ');
  return [
    line(header),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.map(line),
  ].join('\n');
}

export function renderReport(
  cells: CellFigures[],
  systems: SystemName[],
  sizes: BenchSizes,
  failures: Failures,
): string {
  const find = (system: SystemName, workload: Workload) =>
    cells.find((cell) => cell.system === system && cell.workload === workload);
  const rate = (system: SystemName, workload: Workload) =>
    find(system, workload)?.medianEventsPerSecond;
  const ratio = (over: SystemName, under: SystemName, workload: Workload) => {
    const top = rate(over, workload);
    const bottom = rate(under, workload);
    return top === undefined || bottom === undefined ? '-' : formatRatio(top / bottom);
  };
  const cellText = (system: SystemName, workload: Workload) => {
    const cell = find(system, workload);
    if (!cell) return failures[system] ? 'failed' : '-';
    return `${formatRate(cell.medianEventsPerSecond)} ±${Math.round(cell.spread * 100)}%`;
  };

  const rateTable = renderTable(
    [
      'events/s (median ±half-range)',
      ...systems.map((system) => SYSTEM_LABELS[system]),
      'ours/raw',
      'ours/Emmett',
    ],
    WORKLOADS.map((workload) => [
      workloadLabel(workload, sizes),
      ...systems.map((system) => cellText(system, workload)),
      ratio('ours', 'raw', workload),
      ratio('ours', 'emmett', workload),
    ]),
  );

  const roundTripTable = renderTable(
    ['pg round trips per append / page', ...systems.map((system) => SYSTEM_LABELS[system])],
    WORKLOADS.map((workload) => [
      workloadLabel(workload, sizes),
      ...systems.map((system) => {
        const cell = find(system, workload);
        return cell ? cell.queriesPerOperation.toFixed(2) : '-';
      }),
    ]),
  );

  const targets = checkTargets(rate).map(
    (target) =>
      `  ${workloadLabel(target.workload, sizes)} ${target.description}: ${
        target.met === null ? 'not measured' : target.met ? 'met' : 'MISSED'
      }`,
  );

  const readerDefects = cells
    .filter((cell) => [...cell.redelivered, ...cell.missed].some((count) => count > 0))
    .map(
      (cell) =>
        `  ${SYSTEM_LABELS[cell.system]}, ${workloadLabel(cell.workload, sizes)}: ` +
        `missed ${cell.missed.join('/')} and redelivered ${cell.redelivered.join('/')} events ` +
        `(per repetition; rates count distinct events only)`,
    );

  const failureLines = systems.flatMap((system) =>
    (failures[system] ?? []).map((message) => `  ${SYSTEM_LABELS[system]}: ${message}`),
  );

  return [
    rateTable,
    '',
    'Targets for ours:',
    ...targets,
    ...(readerDefects.length > 0 ? ['', 'Reader defects:', ...readerDefects] : []),
    ...(failureLines.length > 0 ? ['', 'Failed repetitions:', ...failureLines] : []),
    '',
    roundTripTable,
  ].join('\n');
}

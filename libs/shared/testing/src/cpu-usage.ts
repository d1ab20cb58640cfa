/**
 * Where the CPU goes during a run, from /proc: the machine as a whole (/proc/stat) and each
 * process of interest (/proc/<pid>/stat), as cores busy over the measured window. On a 2-core
 * box with every process of the system on it, this tells whether a rate is capped by the CPU
 * and which process spends it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** USER_HZ: the unit of /proc's CPU times; 100 on every Linux this runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcessGroup {
  name: string;
  /** asked at the start and at the end: processes may come and go (a pool's connections) */
  pids: () => number[];
}

interface Snapshot {
  at: number;
  machineBusy: number;
  machineTotal: number;
  /** CPU ticks so far, by group, then by process */
  groups: Map<string, Map<number, number>>;
}

/** Cores in use over the window, by group, and for the machine ("busy": not idle, not iowait). */
export interface CpuUsage {
  machineBusyCores: number;
  /** busy cores not accounted for by any group: other work on the machine */
  otherCores: number;
  cores: Record<string, number>;
}

function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name is in parentheses and may contain spaces: count fields after it
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime
  } catch {
    return 0; // gone
  }
}

function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  const idle = values[3] + (values[4] ?? 0); // idle, iowait
  return { busy: total - idle, total };
}

function snapshot(groups: readonly ProcessGroup[]): Snapshot {
  const machine = machineTicks();
  return {
    at: performance.now(),
    machineBusy: machine.busy,
    machineTotal: machine.total,
    groups: new Map(
      groups.map((group) => [
        group.name,
        new Map(group.pids().map((pid) => [pid, processTicks(pid)])),
      ]),
    ),
  };
}

/**
 * Start measuring now; `stop()` gives the usage since. Call it after the warm-up, so the
 * processes a run needs (database connections, say) exist already.
 */
export function startCpuMeasurement(groups: readonly ProcessGroup[]): { stop(): CpuUsage } {
  const before = snapshot(groups);
  return {
    stop() {
      const after = snapshot(groups);
      const seconds = (after.at - before.at) / 1000;
      const cpus = os.cpus().length;
      const machineBusyCores =
        ((after.machineBusy - before.machineBusy) / (after.machineTotal - before.machineTotal)) *
        cpus;
      const cores: Record<string, number> = {};
      for (const group of groups) {
        // a process that started meanwhile counts whole; one that ended meanwhile is lost
        const started = before.groups.get(group.name)!;
        let ticks = 0;
        for (const [pid, now] of after.groups.get(group.name)!)
          ticks += now - (started.get(pid) ?? 0);
        cores[group.name] = ticks / CLOCK_TICKS_PER_SECOND / seconds;
      }
      const accounted = Object.values(cores).reduce((sum, value) => sum + value, 0);
      return { machineBusyCores, otherCores: Math.max(0, machineBusyCores - accounted), cores };
    },
  };
}

/** Processes whose command line contains every one of `parts` (NUL-separated arguments joined). */
export function findProcesses(parts: readonly string[]): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (parts.every((part) => commandLine.includes(part))) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** A variable of a running process's environment. */
export function environmentOf(pid: number, name: string): string | undefined {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  return entries.find((entry) => entry.startsWith(`${name}=`))?.slice(name.length + 1);
}

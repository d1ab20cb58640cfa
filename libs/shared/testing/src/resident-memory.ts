import { readFile } from 'node:fs/promises';

/** In MB, from /proc/<pid>/status. */
export interface ResidentMemory {
  /** resident set size: what memory targets are about */
  rss: number;
  /** of which anonymous memory: the JavaScript heaps and native allocations */
  rssAnon: number;
  /** of which file-backed pages: node itself, native add-ons */
  rssFile: number;
  /** the peak since the process started */
  peakRss: number;
}

export async function residentMemory(pid: number): Promise<ResidentMemory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const megabytes = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Math.round(Number(match[1]) / 102.4) / 10;
  };
  return {
    rss: megabytes('VmRSS'),
    rssAnon: megabytes('RssAnon'),
    rssFile: megabytes('RssFile'),
    peakRss: megabytes('VmHWM'),
  };
}

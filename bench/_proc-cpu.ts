// CPU time of processes from /proc, for the benches' "where did the CPU go" lines.
import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds a process (and, with `tree`, its descendants) has used, user + system, from /proc (Linux); NaN elsewhere. */
export function cpuSeconds(pid: number, tree = false): number {
  try {
    const stats = (tree ? readdirSync('/proc').filter((name) => /^\d+$/.test(name)) : [String(pid)])
      .map((name) => {
        try {
          const fields = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1].split(' ');
          return { pid: Number(name), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
        } catch {
          return null; // gone meanwhile
        }
      })
      .filter((x) => x !== null);
    const members = new Set([pid]);
    for (let grew = tree; grew; ) {
      grew = false;
      for (const p of stats) if (!members.has(p.pid) && members.has(p.ppid)) grew = Boolean(members.add(p.pid));
    }
    return stats.filter((p) => members.has(p.pid)).reduce((sum, p) => sum + p.ticks, 0) / 100; // USER_HZ 100
  } catch {
    return Number.NaN;
  }
}

/** Busy CPU seconds of the whole machine (every process, other users' included). */
export function machineBusySeconds(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = ticks[3] + ticks[4];
  return (ticks.reduce((a, b) => a + b, 0) - idle) / 100;
}

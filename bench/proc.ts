import { execSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks a second, for /proc/<pid>/stat. */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime, stime, cutime, cstime and ppid of a process (fields after the command name, which may hold spaces). */
function stat(pid: number): { own: number; children: number; ppid: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      own: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
      children: (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND,
      ppid: Number(fields[1]),
    };
  } catch {
    return null;
  }
}

/** CPU seconds a process has used so far (user + system). */
export function cpuSeconds(pid: number): number {
  return stat(pid)?.own ?? 0;
}

/**
 * CPU seconds a server and its children have used so far (a PostgreSQL postmaster and its
 * backends): the live children's own time, plus what the ended ones left in the parent's counters.
 */
export function treeCpuSeconds(pid: number): number {
  const parent = stat(pid);
  if (!parent) return 0;
  let total = parent.own + parent.children;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = stat(Number(entry));
    if (child?.ppid === pid) total += child.own;
  }
  return total;
}

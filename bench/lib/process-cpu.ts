/**
 * CPU time of this process's children, read from /proc (Linux): how the bench charges work
 * done in processes it cannot instrument, such as the workerd that Miniflare starts. Where
 * /proc is missing, the answers are empty (`[]`, `null`).
 */
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc's times (USER_HZ: 100 on Linux, `getconf CLK_TCK`). */
const TICKS_PER_SECOND = 100;

/** `/proc/<pid>/stat` split: [command, state, ppid, …]; the command may hold spaces. */
function statOf(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = text.lastIndexOf(")");
    return [text.slice(text.indexOf("(") + 1, close), ...text.slice(close + 2).split(" ")];
  } catch {
    return null;
  }
}

/** User + system CPU of a process (all its threads), µs; null if it cannot be read. */
export function processCpuMicros(pid: number): number | null {
  const fields = statOf(pid);
  if (!fields) return null;
  const ticks = Number(fields[12]) + Number(fields[13]); // utime, stime (stat fields 14, 15)
  return (ticks * 1_000_000) / TICKS_PER_SECOND;
}

/** Pids of this process's children running `command` (as /proc shows it, e.g. `workerd`). */
export function childPids(command: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  return entries
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      const fields = statOf(pid);
      return fields?.[0] === command && Number(fields[2]) === process.pid;
    });
}

// How many threads onnxruntime runs on the CPU: one per physical core. Its own default falls back to half the
// logical CPUs where it cannot read the topology (it assumes SMT), which on a 2-vCPU Linux VM without SMT is one
// thread: srItm-x2 at 1080p took 6.4 s a frame there instead of 3.9 s with two.
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

/**
 * Physical cores from Linux's sysfs topology (CPUs sharing a core list one core), at most the CPUs this process
 * may use; null where the topology cannot be read (other systems: onnxruntime's own count is right there).
 */
export function physicalCores(cpuRoot = '/sys/devices/system/cpu', usable = availableParallelism()): number | null {
  let names: string[];
  try {
    names = readdirSync(cpuRoot).filter((n) => /^cpu\d+$/.test(n));
  } catch {
    return null;
  }
  const cores = new Set<string>();
  for (const name of names) {
    const read = (f: string) => readFileSync(join(cpuRoot, name, 'topology', f), 'utf8').trim();
    const first = (...files: string[]) => {
      for (const f of files)
        try {
          return read(f);
        } catch {
          // next name
        }
      return null;
    };
    // An offline CPU has no topology: it is skipped, not a reason to give up on the others.
    const siblings = first('core_cpus_list', 'thread_siblings_list'); // the second before Linux 5.7
    const pkg = first('physical_package_id');
    if (siblings !== null && pkg !== null) cores.add(`${pkg}/${siblings}`);
  }
  return cores.size > 0 ? Math.max(1, Math.min(cores.size, usable)) : null;
}

/** onnxruntime's intra-op thread count for this machine, or undefined for its own default. */
export function inferenceThreads(): number | undefined {
  return process.platform === 'linux' ? (physicalCores() ?? undefined) : undefined;
}

/** ", 2 threads" for the status line where the count is ours; nothing where onnxruntime's default runs. */
export function threadsNote(threads: number | undefined): string {
  return threads ? `, ${threads} thread${threads === 1 ? '' : 's'}` : '';
}

/**
 * Threads for a render's CPU stages: the threads that grade its frames (core/render/grade-thread.ts) and its cache
 * encoder's (core/render/segment-encoder.ts). One per CPU the process may use, at most 8: below normal priority
 * they only take what the network leaves, and with the network on a GPU they set a render's pace (a UHD frame is
 * ~300 ms of grade and ~100 ms of cache encode on one thread here).
 */
export function renderThreads(usable = availableParallelism()): number {
  return Math.max(1, Math.min(8, usable));
}

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { physicalCores, threadsNote } from '../../src-main/node/cpu-cores';

const root = mkdtempSync(join(tmpdir(), 'remaster-cpus-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A sysfs cpu folder: each CPU with its package and the list of CPUs sharing its core. */
function sysfs(name: string, cpus: { pkg: number; core: string; oldKernel?: boolean }[]): string {
  const dir = join(root, name);
  cpus.forEach((c, i) => {
    const t = join(dir, `cpu${i}`, 'topology');
    mkdirSync(t, { recursive: true });
    writeFileSync(join(t, 'physical_package_id'), `${c.pkg}\n`);
    writeFileSync(join(t, c.oldKernel ? 'thread_siblings_list' : 'core_cpus_list'), `${c.core}\n`);
  });
  mkdirSync(join(dir, 'cpufreq'), { recursive: true }); // not a CPU
  writeFileSync(join(dir, 'online'), `0-${cpus.length - 1}\n`);
  return dir;
}

test('two vCPUs without SMT are two cores (where onnxruntime itself runs one thread)', () => {
  assert.equal(
    physicalCores(
      sysfs('vm', [
        { pkg: 0, core: '0' },
        { pkg: 0, core: '1' },
      ]),
      2,
    ),
    2,
  );
});

test('SMT siblings count once; two packages keep their cores apart; old kernels name the list differently', () => {
  const smt = sysfs('smt', [
    { pkg: 0, core: '0,2' },
    { pkg: 0, core: '1,3' },
    { pkg: 0, core: '0,2' },
    { pkg: 0, core: '1,3' },
  ]);
  assert.equal(physicalCores(smt, 4), 2);
  const two = sysfs('packages', [
    { pkg: 0, core: '0', oldKernel: true },
    { pkg: 1, core: '0', oldKernel: true },
  ]);
  assert.equal(physicalCores(two, 2), 2);
});

test('never more than the CPUs this process may use; an unreadable topology leaves the default', () => {
  const eight = sysfs(
    'eight',
    [...Array(8).keys()].map((i) => ({ pkg: 0, core: String(i) })),
  );
  assert.equal(physicalCores(eight, 3), 3);
  assert.equal(physicalCores(join(root, 'missing'), 2), null);
  const offline = sysfs('offline', [
    { pkg: 0, core: '0' },
    { pkg: 0, core: '1' },
    { pkg: 0, core: '2' },
  ]);
  rmSync(join(offline, 'cpu2', 'topology'), { recursive: true });
  assert.equal(physicalCores(offline, 2), 2, 'an offline CPU (no topology) is skipped');
  const broken = sysfs('broken', [{ pkg: 0, core: '0' }]);
  rmSync(join(broken, 'cpu0', 'topology', 'core_cpus_list'));
  assert.equal(physicalCores(broken, 2), null);
});

test('this machine: between one and the usable CPUs', { skip: process.platform !== 'linux' }, () => {
  const n = physicalCores();
  assert.ok(n !== null && n >= 1, String(n));
});

test('the status line says the count, in the singular for one, and nothing for the default', () => {
  assert.equal(threadsNote(2), ', 2 threads');
  assert.equal(threadsNote(1), ', 1 thread');
  assert.equal(threadsNote(undefined), '');
});

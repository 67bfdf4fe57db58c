// `npm run bench`: runs every test/bench/*.bench.ts (or those named on the command line).
// Each bench prints absolute figures and ratios against a baseline measured in the same process.
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

export interface BenchContext {
  /** Print one result line: name, absolute figure, and optionally the ratio to a baseline run in the same process. */
  report(line: {
    name: string;
    value: number;
    unit: string;
    baseline?: { name: string; value: number; unit: string };
    ratio?: number;
    note?: string;
  }): void;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const dir = __dirname;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
    .sort();
  const lines: Parameters<BenchContext['report']>[0][] = [];
  const ctx: BenchContext = {
    report(l) {
      lines.push(l);
      const parts = [`${l.name}: ${fmt(l.value)} ${l.unit}`];
      if (l.baseline) parts.push(`baseline ${l.baseline.name}: ${fmt(l.baseline.value)} ${l.baseline.unit}`);
      if (l.ratio !== undefined) parts.push(`ratio ${l.ratio.toFixed(2)}x`);
      if (l.note) parts.push(l.note);
      console.log('  ' + parts.join(' | '));
    },
  };
  for (const f of files) {
    console.log(`# ${f}`);
    const mod = (await import(join(dir, f))) as { default: (ctx: BenchContext) => Promise<void> };
    await mod.default(ctx);
  }
  // REMASTER_BENCH_JSON=FILE keeps the figures (e.g. for the model cards: python3 -m remaster_train.export --speed-json).
  const out = process.env.REMASTER_BENCH_JSON;
  if (out)
    writeFileSync(
      out,
      JSON.stringify(
        { date: new Date().toISOString(), cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, lines },
        null,
        1,
      ),
    );
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

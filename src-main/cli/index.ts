// `remaster <command>`: the same core services as the app, without a window.
import { defaultDataDir } from '../core/data-dir';
import { ServiceError } from '../common/contract';
import { CliError, exitCodeFor, type CliCommand, type CliContext } from './context';

const commands: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {
  serve: { summary: 'serve [--port N] [--bind ADDR] [--demo]   start the headless host (browser mode)', load: async () => (await import('./commands/serve')).default },
  project: { summary: 'project create NAME | project list        manage projects', load: async () => (await import('./commands/project')).default },
  import: { summary: 'import PROJECT FILE...                    import clips (probe, shots, proxies)', load: async () => (await import('./commands/import')).default },
  shots: { summary: 'shots PROJECT [--json]                    list a project\'s shots', load: async () => (await import('./commands/shots')).default },
  analyze: { summary: "analyze FILE [--json] [--per-frame]              measure an HDR file's light levels and gamut beside its HDR10 metadata", load: async () => (await import('./commands/analyze')).default },
  pattern: { summary: 'pattern bt2111|pq-stair|smpte-sdr OUT.(tif|mkv|mov) [--size WxH]   write a test pattern', load: async () => (await import('./commands/pattern')).default },
  still: { summary: 'still IN OUT.tif [--scale 2|4] [--strength S] [--white-nits N] [--quality standard|best] [--model FILE]   up-convert one SDR image to HDR', load: async () => (await import('./commands/still')).default },
};

function usage(): string {
  return ['usage: remaster [--data DIR] <command> [options]', '', ...Object.values(commands).map((c) => '  ' + c.summary)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  let dataDir = process.env.REMASTER_DATA || defaultDataDir();
  const dataAt = args.indexOf('--data');
  if (dataAt >= 0) {
    const v = args[dataAt + 1];
    if (!v) {
      process.stderr.write('remaster: --data needs a folder\n');
      return 2;
    }
    dataDir = v;
    args.splice(dataAt, 2);
  }
  const name = args.shift();
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const cmd = commands[name];
  if (!cmd) {
    process.stderr.write(`remaster: unknown command "${name}"\n${usage()}\n`);
    return 2;
  }
  const ctx: CliContext = { dataDir, progress: (m) => process.stderr.write(m + '\n') };
  try {
    const run = await cmd.load();
    return await run(args, ctx);
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`remaster ${name}: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof ServiceError) {
      process.stderr.write(`remaster ${name}: ${e.message}\n`);
      return exitCodeFor(e);
    }
    process.stderr.write(`remaster ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

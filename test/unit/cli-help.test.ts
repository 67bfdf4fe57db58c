// The CLI's one description of each command against what reads it: the README's command table, `--help`'s
// columns and the argument parser's errors.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCommandArgs, splitCommandLine, UsageError } from '../../src-main/cli/args';
import { COMMANDS } from '../../src-main/cli/commands';
import { commandHelp, commandsHelp, usageLine } from '../../src-main/cli/help';
import { PATTERNS } from '../../src-main/core/patterns';
import { appRoot } from '../../src-main/core/paths';

const spec = (name: string) => COMMANDS.find((c) => c.name === name)!;

/** The rows of the README's "Command line" table: [command, what it does], Markdown undone. */
function readmeRows(): [string, string][] {
  const readme = readFileSync(join(appRoot(), 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('\n## Command line\n'),
    readme.indexOf('\n## ', readme.indexOf('\n## Command line\n') + 1),
  );
  const rows = section
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| command |') && !l.startsWith('| ---'));
  return rows.map((row) => {
    const cells = row
      .slice(2, -2)
      .split(/ (?<!\\)\| /)
      .map((c) => c.replaceAll('\\|', '|'));
    assert.equal(cells.length, 2, row);
    assert.match(cells[0], /^`[^`]+`$/, row);
    return [cells[0].slice(1, -1), cells[1]];
  });
}

test("the README's command table is the commands' description, row for row", () => {
  assert.deepEqual(
    readmeRows(),
    COMMANDS.map((c) => [usageLine(c), c.summary]),
  );
  assert.equal(
    usageLine(spec('still')),
    'remaster still IN OUT.tif [--scale 2|4] [--strength S] [--white-nits N] [--quality standard|best] [--content live|graphics] [--model FILE]',
  );
  assert.equal(usageLine(spec('serve')), 'remaster serve [--port N] [--bind ADDR] [--media-root DIR]... [--no-demo]');
  // An option the command cannot run without is shown as such, not in brackets.
  assert.equal(usageLine(spec('render-shot')), 'remaster render-shot MANIFEST.json --out DIR');
  assert.match(
    usageLine(spec('export')),
    /^remaster export PROJECT --format hdr10-hevc\|\S+ --out PATH \[--mastering /,
  );
});

test('every command has a summary, and project has create, list, rename and delete', () => {
  for (const c of COMMANDS) assert.match(c.summary, /^[a-z].{10,90}[^.]$/, c.name);
  assert.deepEqual(
    COMMANDS.filter((c) => c.name.startsWith('project ')).map((c) => c.name),
    ['project create', 'project list', 'project rename', 'project delete'],
  );
  assert.deepEqual(spec('project rename').args, ['NAME', 'NEW']);
  for (const p of PATTERNS) assert.ok(spec('pattern').summary.includes(p), p);
});

test("--help's columns line up: every summary starts at one column", () => {
  const lines = commandsHelp(COMMANDS).split('\n');
  const block = lines.slice(lines.indexOf('commands:') + 1, lines.indexOf('', lines.indexOf('commands:')));
  assert.equal(block.length, COMMANDS.length);
  const starts = block.map((l, i) => l.indexOf(COMMANDS[i].summary));
  assert.ok(
    starts.every((s) => s === starts[0] && s > 0),
    starts.join(' '),
  );
  assert.equal(block[0].slice(0, starts[0]), '  project create NAME'.padEnd(starts[0]));
  assert.equal(block[4].slice(0, starts[0]).trimEnd(), '  import PROJECT FILE... [options]');

  const serve = commandHelp(spec('serve')).split('\n');
  assert.equal(serve[0], 'usage: remaster serve [--port N] [--bind ADDR] [--media-root DIR]... [--no-demo]');
  const opts = serve.slice(serve.indexOf('options:') + 1);
  assert.deepEqual(
    opts.map((l) => l.trim().split(/\s{3,}/)[0]),
    ['--port N', '--bind ADDR', '--media-root DIR', '--no-demo', '-h, --help'],
  );
  const helps = [...Object.values(spec('serve').options).map((o) => o.help), 'this help'];
  const helpStarts = opts.map((l, i) => l.indexOf(helps[i]));
  assert.ok(
    helpStarts.every((s) => s === helpStarts[0] && s > '--media-root DIR'.length),
    helpStarts.join(' '),
  );
  assert.ok(serve.some((l) => l.includes('--port N') && l.endsWith('(default: 7450)')));
  assert.ok(commandHelp(spec('render-shot')).includes('the manifest hash names the render inside (required)'));
});

test('arguments are parsed strictly, with one plain line for each mistake', () => {
  const still = spec('still');
  const mistake = (args: string[], name = 'still'): string => {
    try {
      parseCommandArgs(spec(name), args);
    } catch (e) {
      assert.ok(e instanceof UsageError);
      assert.equal(e.exitCode, 2);
      return e.message;
    }
    assert.fail(`accepted ${args.join(' ')}`);
  };
  assert.equal(mistake(['a.png', 'b.tif', '--frob']), 'unknown option --frob');
  assert.equal(mistake(['a.png', 'b.tif', '--scale']), '--scale needs a value (2|4)');
  assert.equal(mistake(['a.png', 'b.tif', '--scale', '--strength', '0']), '--scale needs a value (2|4)');
  assert.equal(mistake(['a.png']), 'missing argument OUT.tif');
  assert.equal(mistake(['a', 'b', 'c']), 'unexpected argument "c" (quote a name that has spaces)');
  assert.equal(mistake(['X', '--json=yes'], 'shots'), '--json takes no value');
  assert.equal(mistake(['--demo'], 'serve'), 'unknown option --demo');
  assert.equal(
    mistake(['--data', 'x'], 'project list'),
    'unknown option --data (a global option: put it before the command)',
  );
  assert.equal(
    mistake(['Night', 'shoot'], 'project create'),
    'unexpected argument "shoot" (quote a name that has spaces)',
  );
  assert.equal(mistake(['Night shoot'], 'import'), 'missing argument FILE...');
  assert.equal(mistake(['m.json'], 'render-shot'), 'missing option --out DIR');
  assert.equal(
    mistake(['P', '--out', 'm.mov'], 'export'),
    'missing option --format hdr10-hevc|prores4444xq|prores422hq|tiff16',
  );
  assert.equal(parseCommandArgs(spec('render-shot'), ['--help']).help, true);

  const ok = parseCommandArgs(still, ['a.png', 'b.tif', '--scale=4', '--quality', 'best']);
  assert.deepEqual(ok, {
    help: false,
    args: ['a.png', 'b.tif'],
    options: { scale: '4', strength: '1', 'white-nits': '203', quality: 'best', content: 'live' },
  });
  assert.deepEqual(parseCommandArgs(spec('serve'), ['--media-root', '/a', '--media-root', '/b']).options, {
    port: '7450',
    bind: '127.0.0.1',
    'media-root': ['/a', '/b'],
    'no-demo': false,
  });
  assert.deepEqual(parseCommandArgs(spec('import'), ['P', 'a.mov', 'b.mov', '--no-shots']).args, [
    'P',
    'a.mov',
    'b.mov',
  ]);
  assert.equal(parseCommandArgs(still, ['-h']).help, true);
});

test('the global --data and --verbose come before the command; everything after it is the command line', () => {
  assert.deepEqual(splitCommandLine(['--data', '/lib', 'shots', 'P', '--json']), {
    data: '/lib',
    verbose: false,
    help: false,
    command: ['shots', 'P', '--json'],
  });
  assert.deepEqual(splitCommandLine(['--verbose', '--data', '/lib', 'shots', 'P']), {
    data: '/lib',
    verbose: true,
    help: false,
    command: ['shots', 'P'],
  });
  // After the command it belongs to the command, which refuses it as it refuses any option it does not know.
  assert.deepEqual(splitCommandLine(['shots', 'P', '--verbose']).command, ['shots', 'P', '--verbose']);
  assert.deepEqual(splitCommandLine(['--data=/lib', 'still', 'a', 'b', '--scale', '4']).command, [
    'still',
    'a',
    'b',
    '--scale',
    '4',
  ]);
  assert.deepEqual(splitCommandLine(['--help']), { data: undefined, verbose: false, help: true, command: [] });
  assert.throws(
    () => splitCommandLine(['--data']),
    (e) => e instanceof UsageError && e.message === '--data needs a value (DIR)',
  );
  assert.throws(() => splitCommandLine(['--scale', '4', 'still']), /^Error: unknown option --scale$/);
});

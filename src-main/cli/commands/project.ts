// remaster project create NAME | project list [--json]
import { openCliLibrary } from '../../core/library/cli';
import { CliError, exitCodeFor, type CliCommand } from '../context';

const project: CliCommand = async (args, ctx) => {
  const [sub, ...rest] = args;
  if (sub !== 'create' && sub !== 'list') throw new CliError('usage: remaster project create NAME | project list [--json]');
  let lib;
  try {
    lib = openCliLibrary(ctx.dataDir);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e), exitCodeFor(e));
  }
  try {
    if (sub === 'create') {
      const name = rest.join(' ').trim();
      if (!name) throw new CliError('usage: remaster project create NAME');
      const p = lib.createProject(name);
      process.stdout.write(`created project "${p.name}" (${p.id})\n`);
      return 0;
    }
    const json = rest.includes('--json');
    const list = lib.listProjects();
    if (json) process.stdout.write(JSON.stringify(list, null, 2) + '\n');
    else if (list.length === 0) process.stdout.write('no projects\n');
    else for (const p of list) process.stdout.write(`${p.name}\t${p.clipCount} clip${p.clipCount === 1 ? '' : 's'}\t${p.shotCount} shot${p.shotCount === 1 ? '' : 's'}\t${p.id}\n`);
    return 0;
  } finally {
    lib.close();
  }
};

export default project;

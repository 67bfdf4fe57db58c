// `remaster project create|list|rename|delete`: projects in the library, as the library screen manages them.
import { ProjectName } from '../../common/contract';
import { CliError, defineCommand } from '../context';
import { withLibrary } from '../library';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A name as the app accepts one (the contract's rule), trimmed. */
function projectName(name: string): string {
  const r = ProjectName.safeParse(name);
  if (!r.success) throw new CliError(`${r.error.issues[0].message}: "${name}"`);
  return r.data;
}

export const create = defineCommand({
  name: 'project create',
  args: ['NAME'],
  summary: 'create an empty project in the library',
  options: {},
  run: ({ args: [name] }, ctx) =>
    withLibrary(ctx, (lib) => {
      const p = lib.api['library.createProject']({ name: projectName(name) });
      process.stdout.write(`created project "${p.name}" (${p.id})\n`);
      return 0;
    }),
});

export const list = defineCommand({
  name: 'project list',
  args: [],
  summary: 'the projects, with their clip and shot counts',
  options: { json: { type: 'boolean', help: 'as JSON' } },
  run: ({ options }, ctx) =>
    withLibrary(ctx, (lib) => {
      const projects = lib.api['library.listProjects']({});
      if (options.json) process.stdout.write(JSON.stringify(projects, null, 2) + '\n');
      else if (projects.length === 0) process.stdout.write('no projects\n');
      else {
        for (const p of projects) {
          process.stdout.write(`${p.name}\t${plural(p.clipCount, 'clip')}\t${plural(p.shotCount, 'shot')}\t${p.id}\n`);
        }
      }
      return 0;
    }),
});

export const rename = defineCommand({
  name: 'project rename',
  args: ['NAME', 'NEW'],
  summary: 'rename a project',
  options: {},
  run: ({ args: [name, next] }, ctx) =>
    withLibrary(ctx, (lib) => {
      const p = lib.findProject(name);
      const renamed = lib.api['library.renameProject']({ projectId: p.id, name: projectName(next) });
      process.stdout.write(`renamed project "${p.name}" to "${renamed.name}" (${p.id})\n`);
      return 0;
    }),
});

export const remove = defineCommand({
  name: 'project delete',
  args: ['NAME'],
  summary: 'delete a project, its shots, grades and caches (never its media files)',
  options: {},
  run: ({ args: [name] }, ctx) =>
    withLibrary(ctx, (lib) => {
      const p = lib.findProject(name);
      lib.api['library.deleteProject']({ projectId: p.id });
      process.stdout.write(
        `deleted project "${p.name}" (${p.id}): ${plural(p.clipCount, 'clip')}, ${plural(p.shotCount, 'shot')} and their caches; media files untouched\n`,
      );
      return 0;
    }),
});

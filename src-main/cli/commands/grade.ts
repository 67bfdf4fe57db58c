// `remaster grade`: a project's shot grades from the command line: shown, or set (each change a new version in the
// shot's history, as from the grade panel), e.g. `--set content=graphics` for an animated project before `render`.
import {
  DEFAULT_GRADE,
  GRADE_PARAMETER_LIST,
  GRADE_PARAMETERS,
  GradeParams,
  type GradeParameterKey,
} from '../../common/colour/grade';
import { CliError, defineCommand } from '../context';
import { shotList } from '../delivery';
import { withLibrary } from '../library';

const KEYS = GRADE_PARAMETER_LIST.map((p) => p.key);

/** `KEY=VALUE` as the parameter's type: a number, true/false, or one of its choices (checked by the schema). */
function parseSetting(arg: string): [GradeParameterKey, number | boolean | string] {
  const m = /^([A-Za-z]+)=(.*)$/.exec(arg);
  if (!m) throw new CliError(`--set wants KEY=VALUE, got ${arg}`);
  const key = m[1] as GradeParameterKey;
  const p = GRADE_PARAMETERS[key];
  if (!p) throw new CliError(`--set: no grade value ${m[1]} (one of ${KEYS.join(', ')})`);
  if (p.kind === 'slider') {
    const v = Number(m[2]);
    if (m[2].trim() === '' || !Number.isFinite(v)) throw new CliError(`--set ${key}: not a number: ${m[2]}`);
    return [key, v];
  }
  if (p.kind === 'toggle') {
    if (m[2] !== 'true' && m[2] !== 'false') throw new CliError(`--set ${key}: true or false, got ${m[2]}`);
    return [key, m[2] === 'true'];
  }
  return [key, m[2]];
}

/** The values that differ from the defaults, as KEY=VALUE. */
const changed = (g: GradeParams) =>
  KEYS.filter((k) => g[k] !== DEFAULT_GRADE[k])
    .map((k) => `${k}=${String(g[k])}`)
    .join(' ');

export default defineCommand({
  name: 'grade',
  args: ['PROJECT'],
  summary: "show or set the grades of a project's shots (all, or --shots)",
  options: {
    shots: { type: 'string', value: 'ID,ID', help: 'only these shots (ids from `remaster shots --json`)' },
    set: {
      type: 'string',
      value: 'KEY=VALUE',
      multiple: true,
      help: `a grade value for each shot, e.g. content=graphics or diffuseWhite=300 (keys: ${KEYS.join(', ')})`,
    },
    json: { type: 'boolean', help: 'as JSON' },
  },
  run: ({ args: [name], options }, ctx) => {
    const settings = Object.fromEntries(options.set.map(parseSetting));
    // Checked before any shot is written: the ranges are per value, so what passes here passes for every shot.
    const check = GradeParams.safeParse({ ...DEFAULT_GRADE, ...settings });
    if (!check.success) {
      const issue = check.error.issues[0];
      throw new CliError(`--set ${issue.path.join('.')}: ${issue.message}`);
    }
    return withLibrary(ctx, (lib) => {
      const project = lib.findProject(name);
      let shots = lib.api['shots.list']({ projectId: project.id });
      const ids = shotList(options.shots);
      if (ids) {
        const missing = ids.find((id) => !shots.some((s) => s.id === id));
        if (missing) throw new CliError(`no shot ${missing} in project "${project.name}"`);
        shots = shots.filter((s) => ids.includes(s.id));
      }
      const rows = shots.map((s) => {
        let state = lib.api['grades.get']({ shotId: s.id });
        if (options.set.length) {
          const params = GradeParams.parse({ ...(state.params ?? DEFAULT_GRADE), ...settings });
          state = lib.api['grades.set']({ shotId: s.id, params });
        }
        return { shot: s, version: state.version, params: state.params ?? DEFAULT_GRADE };
      });
      if (options.json) {
        const out = rows.map((r) => ({ order: r.shot.order, id: r.shot.id, version: r.version, grade: r.params }));
        process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      } else {
        for (const r of rows)
          process.stdout.write(
            `${r.shot.order + 1}\t${r.shot.clipName}\tv${r.version}\t${changed(r.params) || 'default'}\n`,
          );
      }
      return 0;
    });
  },
});

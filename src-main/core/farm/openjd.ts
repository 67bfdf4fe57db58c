// `remaster farm export-job --format openjd`: the same shots as an Open Job Description job bundle (template
// jobtemplate-2023-09) for a facility's scheduler (AWS Deadline Cloud, or any OpenJD runtime). A RenderShots
// step runs `render-shot` once per shot, the manifest path as the task parameter, on GPU hosts; an Export step
// after it merges the renders into the library and writes the master where the library lives.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../../common/contract/render';
import type { Library } from '../library';
import type { ModelRef } from '../library/renders';
import { MANIFEST_FILE } from '../render';
import { writeFileAtomic } from '../render/cache';

export const OPENJD_TEMPLATE_FILE = 'template.json';
export const MANIFEST_LIST_FILE = 'manifests.txt';

/**
 * Each task: render-shot with its progress lines turned into OpenJD's stdout messages (openjd_progress,
 * openjd_status), so the scheduler shows them; pipefail keeps render-shot's exit status.
 */
export const RENDER_TASK_SCRIPT = `#!/usr/bin/env bash
set -euo pipefail
manifest="$1"; cache="$2"; remaster="$3"
echo "openjd_status: rendering $manifest"
"$remaster" render-shot "$manifest" --out "$cache" 2>&1 |
  sed -u -E 's/^\\[ *([0-9]+)%\\] (.*)$/openjd_progress: \\1\\nopenjd_status: \\2/'
echo "openjd_progress: 100"
`;

/** On the library's machine: merge what the farm rendered (no Redis needed), then export and verify the master. */
export const EXPORT_SCRIPT = `#!/usr/bin/env bash
set -euo pipefail
remaster="$1"; library="$2"; project="$3"; master="$4"
echo "openjd_status: merging the farm's renders into the library"
"$remaster" --data "$library" farm status "$project"
echo "openjd_status: exporting $project"
"$remaster" --data "$library" export "$project" --out "$master"
echo "openjd_progress: 100"
`;

export interface OpenJdBundle {
  dir: string;
  template: Record<string, unknown>;
  manifests: string[];
}

/** Writes DIR/template.json and DIR/manifests.txt; the shots' manifests are frozen in the render cache, where the tasks read them. */
export function writeOpenJdBundle(
  lib: Library,
  o: { project: string; model: ModelRef; out: string; shotIds?: string[]; master?: string },
): OpenJdBundle {
  const project = lib.findProject(o.project);
  const planner = lib.renderPlanner(o.model);
  const state = new Map(planner.status(project.id, new Set()).map((s) => [s.shotId, s.state]));
  const targets = planner.targets(project.id, o.shotIds).filter((t) => state.get(t.shot.id) !== 'rendered');
  const manifests = targets.map((t) => {
    mkdirSync(t.dir, { recursive: true });
    const file = join(t.dir, MANIFEST_FILE);
    writeFileAtomic(file, canonicalJson(t.manifest) + '\n');
    return file;
  });
  const cache = join(lib.dataDir, 'cache', project.id, 'renders');
  const steps: Record<string, unknown>[] = [];
  if (manifests.length)
    steps.push({
      name: 'RenderShots',
      description: 'render-shot for each shot to render, a task per shot',
      parameterSpace: { taskParameterDefinitions: [{ name: 'Manifest', type: 'PATH', range: manifests }] },
      hostRequirements: {
        amounts: [
          { name: 'amount.worker.gpu', min: 1 },
          { name: 'amount.worker.memory', min: 8192 },
        ],
        attributes: [{ name: 'attr.worker.os.family', anyOf: ['linux'] }],
      },
      script: {
        actions: {
          onRun: {
            command: 'bash',
            args: ['{{Task.File.Render}}', '{{Task.Param.Manifest}}', '{{Param.RenderCache}}', '{{Param.Remaster}}'],
          },
        },
        embeddedFiles: [{ name: 'Render', type: 'TEXT', runnable: true, data: RENDER_TASK_SCRIPT }],
      },
    });
  steps.push({
    name: 'Export',
    description: 'merge the renders into the library, then write and verify the HDR10 master',
    ...(manifests.length ? { dependencies: [{ dependsOn: 'RenderShots' }] } : {}),
    hostRequirements: { attributes: [{ name: 'attr.custom.remaster_library', anyOf: ['yes'] }] },
    script: {
      actions: {
        onRun: {
          command: 'bash',
          args: ['{{Task.File.Export}}', '{{Param.Remaster}}', '{{Param.Library}}', project.name, '{{Param.Master}}'],
        },
      },
      embeddedFiles: [{ name: 'Export', type: 'TEXT', runnable: true, data: EXPORT_SCRIPT }],
    },
  });
  const template = {
    specificationVersion: 'jobtemplate-2023-09',
    name: `Remaster ${project.name}`.slice(0, 128),
    description: `Render ${manifests.length} shot${manifests.length === 1 ? '' : 's'} of "${project.name}" with render-shot, then export the HDR10 master`,
    parameterDefinitions: [
      {
        name: 'RenderCache',
        type: 'PATH',
        objectType: 'DIRECTORY',
        dataFlow: 'OUT',
        default: cache,
        description: "The project's render cache; each render goes into <RenderCache>/<manifest hash>",
      },
      { name: 'Library', type: 'PATH', objectType: 'DIRECTORY', dataFlow: 'INOUT', default: lib.dataDir },
      {
        name: 'Master',
        type: 'PATH',
        objectType: 'FILE',
        dataFlow: 'OUT',
        default: o.master ?? join(lib.dataDir, `${project.name.replace(/[^\w.-]+/g, '_')}-hdr10.mp4`),
      },
      { name: 'Remaster', type: 'STRING', default: 'remaster', description: 'The remaster command on the hosts' },
    ],
    steps,
  };
  mkdirSync(o.out, { recursive: true });
  writeFileSync(join(o.out, OPENJD_TEMPLATE_FILE), JSON.stringify(template, null, 2) + '\n');
  // The same tasks for any other scheduler (OpenCue frame N, a Kubernetes Indexed Job's index, Deadline's
  // CommandScript): line N is task N's manifest, for `remaster render-shot LINE --out RenderCache`.
  writeFileSync(join(o.out, MANIFEST_LIST_FILE), manifests.map((m) => m + '\n').join(''));
  return { dir: o.out, template, manifests };
}

// The demo project a newcomer sees on first start: assets/demo/demo.mp4 with its known cuts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resourcesDir } from '../paths';
import type { MediaService } from '../media';
import type { LibraryService } from './api';
import { selectSetting, upsertSetting } from './settings-repo';

export const DEMO_PROJECT_NAME = 'Demo project';
const DEMO_CREATED = 'demo_created';

export function demoClipPath(): string {
  return join(resourcesDir(), 'assets', 'demo', 'demo.mp4');
}

export function demoCuts(): number[] {
  const f = join(resourcesDir(), 'assets', 'demo', 'cuts.json');
  return (JSON.parse(readFileSync(f, 'utf8')) as { cuts: { frame: number }[] }).cuts.map((c) => c.frame);
}

/**
 * On the library's first start, creates "Demo project" from the demo clip (once: a user who deletes it keeps it
 * deleted). Resolves with the project id, or null when nothing was done. The import runs as a normal job.
 */
export async function ensureDemoProject(
  lib: LibraryService,
  opts: { force?: boolean; media?: MediaService } = {},
): Promise<string | null> {
  try {
    return await createDemo(lib, opts.force === true);
  } catch (e) {
    // Never fatal, and never an unhandled rejection: the app starts without the demo.
    lib.log.warn(`could not create the demo project: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
}

async function createDemo(lib: LibraryService, force: boolean): Promise<string | null> {
  if (lib.api['library.status']({}).readOnly) return null;
  if (selectSetting(lib.db, DEMO_CREATED) !== undefined && !force) return null;
  const clip = demoClipPath();
  if (!existsSync(clip)) return null;
  upsertSetting(lib.db, DEMO_CREATED, new Date().toISOString());
  const projects = lib.api['library.listProjects']({});
  const existing = projects.find((p) => p.isDemo);
  if (existing) return existing.id;
  const name = projects.some((p) => p.name === DEMO_PROJECT_NAME) ? `${DEMO_PROJECT_NAME} (sample)` : DEMO_PROJECT_NAME;
  const p = lib.createProject(name, { isDemo: true });
  let cuts: number[] | undefined;
  try {
    cuts = demoCuts();
  } catch {
    cuts = undefined;
  }
  await lib.importClips(p.id, [clip], cuts ? { knownCuts: { [clip]: cuts } } : {}).done;
  return p.id;
}

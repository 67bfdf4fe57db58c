// What travels through the farm's queue: a shot job (the frozen manifest and where its render goes, relative to
// the render cache root) and the export job that waits for the shots; and the path mapping of render machines
// that mount the shared storage elsewhere.
import { ServiceError } from '../../common/contract';
import { parseRenderManifest, type RenderManifest } from '../../common/contract/render';

/** The BullMQ queue every submitter and worker of one Redis shares. */
export const FARM_QUEUE = 'remaster-render';

export interface ShotJobData {
  projectId: string;
  shotId: string;
  /** For people reading the queue: "shot 3 (demo.mp4 120-239)". */
  label: string;
  /** The render's folder parent, relative to the cache root: `<projectId>/renders`. */
  rendersDir: string;
  /** The manifest as the submitter froze it (its paths are the submitter's; workers map them). */
  manifest: RenderManifest;
}

export interface ExportJobData {
  projectId: string;
  project: string;
  rendersDir: string;
  /** Every shot render of the submission, checked complete in the cache before the export says done. */
  hashes: string[];
}

/** What a worker returns for a shot (BullMQ keeps it as the job's return value). */
export interface ShotJobResult {
  hash: string;
  frames: number;
  maxCll: number;
  maxFall: number;
  renderedSegments: number;
  skipped: boolean;
  node: string;
}

export interface ShotProgress {
  framesDone: number;
  framesTotal: number;
  fps: number;
}

type Shape = Record<string, 'string' | 'number' | 'boolean' | 'string[]'>;

/** The fields of `shape` with their types, or null (a job another version wrote, or nothing). */
function pick<T>(v: unknown, shape: Shape): T | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  for (const [k, t] of Object.entries(shape)) {
    const x = o[k];
    const ok = t === 'string[]' ? Array.isArray(x) && x.every((e) => typeof e === 'string') : typeof x === t;
    if (!ok) return null;
  }
  return o as T;
}

function must<T>(v: T | null, what: string): T {
  if (v === null) throw new ServiceError('bad_input', `not a ${what} this version of Remaster reads`);
  return v;
}

export const shotJobData = (v: unknown): ShotJobData => {
  const d = must(
    pick<ShotJobData>(v, { projectId: 'string', shotId: 'string', label: 'string', rendersDir: 'string' }),
    'shot job',
  );
  const parsed = parseRenderManifest(d.manifest);
  if (!parsed.ok) throw new ServiceError('bad_input', `shot job ${d.label}: ${parsed.why}`);
  return { ...d, manifest: parsed.manifest };
};

export const exportJobData = (v: unknown): ExportJobData =>
  must(pick(v, { projectId: 'string', project: 'string', rendersDir: 'string', hashes: 'string[]' }), 'export job');

export const shotJobResult = (v: unknown): ShotJobResult | null =>
  pick(v, {
    hash: 'string',
    frames: 'number',
    maxCll: 'number',
    maxFall: 'number',
    renderedSegments: 'number',
    skipped: 'boolean',
    node: 'string',
  });

export const shotProgress = (v: unknown): ShotProgress | null =>
  pick(v, { framesDone: 'number', framesTotal: 'number', fps: 'number' });

/** A render machine's view of a submitter's path prefix: `/mnt/projects=/Volumes/projects`. */
export interface PathMapping {
  from: string;
  to: string;
}

export function parsePathMapping(arg: string): PathMapping {
  const eq = arg.indexOf('=');
  const from = arg.slice(0, eq).replace(/\/+$/, '');
  const to = arg.slice(eq + 1).replace(/\/+$/, '');
  if (eq <= 0 || !from.startsWith('/') || !to.startsWith('/'))
    throw new ServiceError(
      'bad_input',
      `--map ${arg}: expected FROM=TO, two absolute folders (/mnt/media=/Volumes/media)`,
    );
  return { from, to };
}

/** The path on this machine: the longest matching prefix replaced, whole folder names only. */
export function mapPath(path: string, mappings: readonly PathMapping[]): string {
  let best: PathMapping | null = null;
  for (const m of mappings)
    if ((path === m.from || path.startsWith(m.from + '/')) && (!best || m.from.length > best.from.length)) best = m;
  return best ? best.to + path.slice(best.from.length) : path;
}

/** The manifest with its source and model paths as this machine sees them (the hash ignores paths). */
export function mapManifest(m: RenderManifest, mappings: readonly PathMapping[]): RenderManifest {
  return {
    ...m,
    source: { ...m.source, path: mapPath(m.source.path, mappings) },
    model: { ...m.model, path: mapPath(m.model.path, mappings) },
  };
}

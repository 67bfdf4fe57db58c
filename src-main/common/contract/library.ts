// The project library: projects, clips, shots, grades, jobs, and the media browser.
// Implemented by src-main/core/library (SQLite) and src-main/core/media (ffmpeg).
import { z } from 'zod';
import { GradeParams } from '../colour/grade';

const Empty = z.object({}).strict();
const Id = z.string().min(1).max(64);

export const ProjectId = Id;
export const ClipId = Id;
export const ShotId = Id;
export const JobId = Id;

export const ProjectSummary = z.object({
  id: ProjectId,
  name: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** When the project was last opened (library.getProject), null if never. Drives "recent projects". */
  lastOpenedAt: z.string().nullable(),
  clipCount: z.number().int(),
  shotCount: z.number().int(),
  isDemo: z.boolean(),
});
export type ProjectSummary = z.infer<typeof ProjectSummary>;

export const ProjectName = z.string().trim().min(1, 'A project needs a name').max(200);

// ---------------------------------------------------------------------------------------------- media
export const AudioStream = z.object({
  index: z.number().int(),
  codec: z.string(),
  channels: z.number().int(),
  sampleRate: z.number().int(),
  language: z.string().nullable(),
});

export const FieldOrder = z.enum(['progressive', 'tt', 'bb', 'tb', 'bt', 'unknown']);
export type FieldOrder = z.infer<typeof FieldOrder>;

/** What ffprobe says about a file, normalised. Frame rates are rationals ("24000/1001", "25/1"). */
export const ProbeResult = z.object({
  file: z.string(),
  container: z.string(),
  codec: z.string(),
  codecLong: z.string(),
  profile: z.string().nullable(),
  pixFmt: z.string(),
  bitDepth: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  /** Sample aspect ratio "num:den" ("1:1" for square pixels). */
  sar: z.string(),
  /** Display aspect ratio "num:den". */
  dar: z.string(),
  frameRate: z.string(),
  /** True when avg_frame_rate and r_frame_rate disagree (variable frame rate). */
  vfr: z.boolean(),
  fieldOrder: FieldOrder,
  colour: z.object({
    primaries: z.string().nullable(),
    transfer: z.string().nullable(),
    matrix: z.string().nullable(),
    range: z.enum(['tv', 'pc']).nullable(),
  }),
  durationSeconds: z.number(),
  durationFrames: z.number().int(),
  /** Frames the container declares, kept only when the import decoded fewer (a truncated or damaged file). */
  declaredFrames: z.number().int().optional(),
  startTimecode: z.string().nullable(),
  /** Seconds from the container's start to the first video frame (usually 0). */
  startTime: z.number(),
  audio: z.array(AudioStream),
  /** ffprobe's full JSON, for the curious (stored in the library). */
  raw: z.unknown().optional(),
});
export type ProbeResult = z.infer<typeof ProbeResult>;

export const Deinterlace = z.enum(['off', 'auto', 'bwdif', 'yadif', 'ivtc']);
export type Deinterlace = z.infer<typeof Deinterlace>;

export const ClipOptions = z.object({
  /** 'auto' deinterlaces (bwdif) only when the probe says the clip is interlaced. */
  deinterlace: Deinterlace,
  /** Scale anamorphic sources to square pixels (width = width × SAR). */
  squarePixels: z.boolean(),
});
export type ClipOptions = z.infer<typeof ClipOptions>;

/** Most frames one media.proxyFrames call names (a filmstrip's pictures). */
export const PROXY_FRAMES_MAX = 256;

export const Clip = z.object({
  id: ClipId,
  projectId: ProjectId,
  path: z.string(),
  name: z.string(),
  size: z.number(),
  mtimeMs: z.number(),
  fingerprint: z.string(),
  /** 'ok', 'missing' (not at its path), 'changed' (at its path but different content). */
  status: z.enum(['ok', 'missing', 'changed']),
  width: z.number().int(),
  height: z.number().int(),
  frameRate: z.string(),
  frameCount: z.number().int(),
  startTimecode: z.string().nullable(),
  options: ClipOptions,
  /** 'none' | 'building' | 'ready' | 'failed' for the scrub proxy (low-res frame cache). */
  proxyState: z.enum(['none', 'building', 'ready', 'failed']),
  probe: ProbeResult,
  importedAt: z.string(),
  /** Why the clip is incomplete (fewer frames decoded than its file declares), for a warning; absent when whole. */
  incomplete: z.string().nullable().optional(),
  /** Why its colour is not what the up-conversion reads (an HDR or wide-gamut source), for a warning; else null. */
  colourWarning: z.string().nullable().optional(),
});
export type Clip = z.infer<typeof Clip>;

export const Shot = z.object({
  id: ShotId,
  projectId: ProjectId,
  clipId: ClipId,
  clipName: z.string(),
  /** Position on the project's timeline, 0-based. */
  order: z.number().int(),
  firstFrame: z.number().int(),
  lastFrame: z.number().int(),
  startTimecode: z.string(),
  endTimecode: z.string(),
  /** Latest grade version of the shot (0 = never graded). */
  gradeVersion: z.number().int(),
  /** Its grade's content: which network variant it runs (the timeline marks animation & graphics). */
  content: GradeParams.shape.content,
});
export type Shot = z.infer<typeof Shot>;

export const ProjectDetail = z.object({
  project: ProjectSummary,
  clips: z.array(Clip),
  shots: z.array(Shot),
});
export type ProjectDetail = z.infer<typeof ProjectDetail>;

/** A shot's grade: the colour module's parameters (ranges, defaults and units defined once there). */
export { GradeParams, type GradeParamsInput } from '../colour/grade';

export const GradeState = z.object({
  shotId: ShotId,
  /** Current version number (0 = default, no grade). */
  version: z.number().int(),
  params: GradeParams.nullable(),
  canUndo: z.boolean(),
  canRedo: z.boolean(),
});
export type GradeState = z.infer<typeof GradeState>;

export const JobKind = z.enum(['import', 'shots', 'proxies', 'render', 'export']);
export const JobState = z.enum(['queued', 'running', 'paused', 'done', 'failed', 'cancelled']);
export const Job = z.object({
  id: JobId,
  kind: JobKind,
  projectId: ProjectId.nullable(),
  state: JobState,
  fraction: z.number().min(0).max(1),
  etaSeconds: z.number().nullable(),
  message: z.string(),
  /** Why it failed; on a done job, what went wrong along the way (e.g. files an import skipped). */
  error: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type Job = z.infer<typeof Job>;

export const BrowseEntry = z.object({
  name: z.string(),
  path: z.string(),
  kind: z.enum(['dir', 'file']),
  size: z.number().nullable(),
  /** By extension only; import does the real check. */
  looksLikeMedia: z.boolean(),
});
export const BrowseResult = z.object({
  /** Real (symlink-resolved) folder listed; null when listing the roots themselves. */
  path: z.string().nullable(),
  parent: z.string().nullable(),
  roots: z.array(z.string()),
  entries: z.array(BrowseEntry),
});
export type BrowseResult = z.infer<typeof BrowseResult>;

export const LibraryStatus = z.object({
  file: z.string(),
  schemaVersion: z.number().int(),
  readOnly: z.boolean(),
  /** Set when the library was found corrupt at open and recovered; says what happened. */
  recovery: z.string().nullable(),
  mediaRoots: z.array(z.string()),
});
export type LibraryStatus = z.infer<typeof LibraryStatus>;

const FilePath = z.string().min(1).max(4096);
const ProjectRef = z.object({ projectId: ProjectId }).strict();
const ShotRef = z.object({ shotId: ShotId }).strict();

export const libraryMethods = {
  'library.status': { request: Empty, response: LibraryStatus },
  'library.listProjects': { request: Empty, response: z.array(ProjectSummary) },
  'library.recentProjects': {
    request: z.object({ limit: z.number().int().min(1).max(100).optional() }).strict(),
    response: z.array(ProjectSummary),
  },
  'library.createProject': { request: z.object({ name: ProjectName }).strict(), response: ProjectSummary },
  /** Open a project: its clips and shots; marks it as recently opened. */
  'library.getProject': { request: ProjectRef, response: ProjectDetail },
  'library.renameProject': {
    request: z.object({ projectId: ProjectId, name: ProjectName }).strict(),
    response: ProjectSummary,
  },
  /** Copies clips (same media paths), shots and current grades; not jobs, renders or grade history. */
  'library.duplicateProject': {
    request: z.object({ projectId: ProjectId, name: ProjectName.optional() }).strict(),
    response: ProjectSummary,
  },
  /** Deletes the project's rows and caches; never media. */
  'library.deleteProject': { request: ProjectRef, response: z.object({ deleted: z.boolean() }) },
  /** Starts a background import job (probe, fingerprint, shot detection, proxies); progress by job.progress. */
  'library.importClips': {
    request: z
      .object({
        projectId: ProjectId,
        files: z.array(FilePath).min(1).max(1000),
        detectShots: z.boolean().optional(),
        proxies: z.boolean().optional(),
      })
      .strict(),
    response: z.object({ jobId: JobId }),
  },
  /** Re-checks every clip's media (missing / changed) and returns the clips. */
  'library.checkMedia': { request: ProjectRef, response: z.array(Clip) },
  /** Relink one clip to a file: the file's fingerprint must match the clip's. */
  'library.relinkClip': { request: z.object({ clipId: ClipId, path: FilePath }).strict(), response: Clip },
  /** Search a folder (inside the media roots, recursively, bounded) for the project's missing clips by fingerprint. */
  /** Takes the new content at a clip's own path (status 'changed'): re-probe, trim shots, rebuild proxies. */
  'library.acceptChangedMedia': { request: z.object({ clipId: ClipId }).strict(), response: Clip },
  'library.relinkSearch': {
    request: z.object({ projectId: ProjectId, folder: FilePath }).strict(),
    response: z.object({ relinked: z.array(Clip), stillMissing: z.number().int() }),
  },
  'library.setClipOptions': {
    request: z.object({ clipId: ClipId, options: ClipOptions.partial() }).strict(),
    response: Clip,
  },
  'library.removeClip': {
    request: z.object({ clipId: ClipId }).strict(),
    response: z.object({ removed: z.boolean() }),
  },
  'shots.list': { request: ProjectRef, response: z.array(Shot) },
  /** Split a shot so that `frame` becomes the first frame of a new shot. */
  'shots.split': {
    request: z.object({ shotId: ShotId, frame: z.number().int().min(0) }).strict(),
    response: z.array(Shot),
  },
  /** Merge adjacent shots of one clip (contiguous frames) into the first; its grade wins. */
  'shots.merge': { request: z.object({ shotIds: z.array(ShotId).min(2).max(1000) }).strict(), response: z.array(Shot) },
  /** New timeline order: every shot of the project exactly once. */
  'shots.reorder': {
    request: z.object({ projectId: ProjectId, shotIds: z.array(ShotId).max(100000) }).strict(),
    response: z.array(Shot),
  },
  'grades.get': { request: ShotRef, response: GradeState },
  /** Stores a new grade version (drops any redo branch). */
  'grades.set': { request: z.object({ shotId: ShotId, params: GradeParams }).strict(), response: GradeState },
  'grades.undo': { request: ShotRef, response: GradeState },
  'grades.redo': { request: ShotRef, response: GradeState },
  /** Copies the source shot's current grade to each target as a new (undoable) version. */
  'grades.copy': {
    request: z.object({ fromShotId: ShotId, toShotIds: z.array(ShotId).min(1).max(100000) }).strict(),
    response: z.array(GradeState),
  },
  /** Server-side file browser for the headless host: only inside the media roots (symlinks resolved). No path: the roots. */
  'media.browse': { request: z.object({ path: FilePath.optional() }).strict(), response: BrowseResult },
  /** Probe a file inside the media roots. */
  'media.probe': { request: z.object({ path: FilePath }).strict(), response: ProbeResult },
  /** Path on disk of a shot's thumbnail (a JPEG), or null while proxies are not built. */
  'media.thumbnail': { request: ShotRef, response: z.object({ path: z.string().nullable() }) },
  /** Path on disk of the scrub proxy JPEG for a clip's frame, or null while not built. */
  'media.proxyFrame': {
    request: z.object({ clipId: ClipId, frame: z.number().int().min(0) }).strict(),
    response: z.object({ path: z.string().nullable(), width: z.number().int(), height: z.number().int() }),
  },
  /** media.proxyFrame for several frames of a clip at once (the timeline's filmstrips). */
  'media.proxyFrames': {
    request: z
      .object({ clipId: ClipId, frames: z.array(z.number().int().min(0)).min(1).max(PROXY_FRAMES_MAX) })
      .strict(),
    response: z.object({ paths: z.array(z.string().nullable()), width: z.number().int(), height: z.number().int() }),
  },
  'jobs.list': {
    request: z.object({ projectId: ProjectId.optional(), activeOnly: z.boolean().optional() }).strict(),
    response: z.array(Job),
  },
  'jobs.get': { request: z.object({ jobId: JobId }).strict(), response: Job },
  'jobs.cancel': { request: z.object({ jobId: JobId }).strict(), response: Job },
} as const;

export const libraryEvents = {
  /** Something in the library changed: reload the project (or the project list when projectId is null). */
  'library.changed': z.object({
    projectId: ProjectId.nullable(),
    what: z.enum(['projects', 'clips', 'shots', 'grades', 'jobs']).optional(),
  }),
  /** Progress of a long job (throttled to a few per second, plus every state change). */
  'job.progress': Job,
} as const;

// The library's shape. Its contract methods are typed from the contract itself (one declaration per method,
// in src-main/common/contract/library.ts); only what core and the CLI need beyond the contract is listed here.
import type { Clip, libraryMethods, ParsedRequest, ProjectSummary, Response } from '../../common/contract';
import type { EventHub } from '../events';
import type { Logger } from '../log';
import type { MediaInput, MediaService, RgbFrame } from '../media';
import type { Db } from './db';
import type { MediaRoots } from './roots';

export type LibraryMethodName = keyof typeof libraryMethods;

/** The methods that wait on ffmpeg; the others answer at once from SQLite, so in-process callers get plain values. */
type AsyncLibraryMethod = 'library.acceptChangedMedia' | 'media.probe';

/** One handler per contract method, taking the request as the contract parsed it. */
export type LibraryApi = {
  [M in LibraryMethodName]: (
    request: ParsedRequest<M>,
  ) => M extends AsyncLibraryMethod ? Promise<Response<M>> : Response<M>;
};

/** A slice of the api for one subject (projects, clips, shots...): the assembled table is checked to be complete. */
export type LibraryApiPart<M extends LibraryMethodName> = Pick<LibraryApi, M>;

export interface ImportOptions {
  detectShots?: boolean;
  proxies?: boolean;
  /** Known cut frames (first frames of shots) per file, instead of detection (the demo uses this). */
  knownCuts?: Record<string, number[]>;
}

export interface ImportResult {
  clips: Clip[];
  failures: { file: string; code: string; message: string }[];
}

export interface LibraryService {
  /**
   * The contract's library methods by name: the dispatcher's handler table, and how code in this process calls
   * them. Paths it receives are checked against the media roots unless the library was opened with
   * `restrictToRoots: false`.
   */
  readonly api: LibraryApi;
  readonly dataDir: string;
  readonly media: MediaService;
  readonly roots: MediaRoots;
  readonly log: Logger;
  /** For other engineers' tables (renders, exports): the raw database. */
  readonly db: Db;
  /** `isDemo` marks the demo project (the contract's createProject cannot). */
  createProject(name: string, opts?: { isDemo?: boolean }): ProjectSummary;
  /** By id, or by exact name (for the CLI). */
  findProject(idOrName: string): ProjectSummary;
  /** Starts an import job; `done` settles when it finishes (rejects on cancel or total failure). No root check. */
  importClips(projectId: string, files: string[], opts?: ImportOptions): { jobId: string; done: Promise<ImportResult> };
  listClips(projectId: string): Clip[];
  getClip(clipId: string): Clip;
  /** How to decode a clip (file, probe, options) for core modules (render, preview). */
  mediaInput(clipId: string): MediaInput;
  decodeFrame(clipId: string, frame: number, opts?: { width?: number; signal?: AbortSignal }): Promise<RgbFrame>;
  /** Rebuild a clip's scrub proxies in the background (e.g. after its source changed). */
  rebuildProxies(clipId: string): { jobId: string; done: Promise<void> };
  close(): void;
}

export interface OpenLibraryOptions {
  dataDir: string;
  log: Logger;
  events: EventHub;
  /** Folders the headless file browser may show (default: home and the app's assets). */
  mediaRoots?: string[];
  /**
   * Whether `api` accepts only paths inside the media roots for import, relink and probe (default true), as the
   * headless host must; the Electron host passes false (its paths come from its own file dialog).
   */
  restrictToRoots?: boolean;
  media?: MediaService;
  busyTimeoutMs?: number;
  readOnly?: boolean;
}

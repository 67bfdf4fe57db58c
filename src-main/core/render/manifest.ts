// The render manifest's hash (the cache key), file checksums, and building a manifest from a clip.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { GradeParamsInput } from '../../common/colour';
import { ServiceError, type ClipOptions, type ProbeResult } from '../../common/contract';
import {
  RENDER_FORMAT_VERSION,
  RenderManifest,
  canonicalJson,
  renderIdentity,
  type RenderSourceProbe,
} from '../../common/contract/render';
import type { MediaInput, MediaService } from '../media';
import { sha256File } from '../../node/file-io';

/** The cache key: SHA-256 of the canonical JSON of the manifest's identity (paths left out, defaults filled in). */
export function manifestHash(m: RenderManifest): string {
  return createHash('sha256')
    .update(canonicalJson(renderIdentity(RenderManifest.parse(m))))
    .digest('hex');
}

const modelShas = new Map<string, string>();

/** The model file's SHA-256, hashed again only when its path, size or modification time change. */
export function modelSha(path: string): { sha: string; key: string } {
  const st = statSync(path);
  const key = `${path}\0${st.size}\0${st.mtimeMs}`;
  let sha = modelShas.get(key);
  if (!sha) modelShas.set(key, (sha = sha256File(path)));
  return { sha, key };
}

/** What the media service needs to decode the manifest's source exactly as the clip was probed. */
export function mediaInputOf(m: RenderManifest): MediaInput {
  const p = m.source.probe;
  const probe: ProbeResult = {
    ...p,
    file: m.source.path,
    container: 'unknown',
    codec: 'unknown',
    codecLong: 'unknown',
    profile: null,
    dar: `${p.width}:${p.height}`,
    durationSeconds: 0,
    startTimecode: null,
    audio: [],
  };
  return { file: m.source.path, probe, options: m.clip };
}

export interface ManifestSpec {
  file: string;
  fingerprint: string;
  probe: ProbeResult;
  clip: ClipOptions;
  frames: { first: number; last: number };
  model: { path: string; scale: 2 | 4 };
  grade: { version: number; params: GradeParamsInput };
  /** Decode narrower than the clip (proofs, tests); default the clip's own display width. */
  inputWidth?: number;
  segmentFrames?: number;
}

/** A manifest for a clip's frame range; hashes the model file (the render node checks it again). */
export function buildRenderManifest(media: MediaService, s: ManifestSpec): RenderManifest {
  if (!isAbsolute(s.file) || !isAbsolute(s.model.path))
    throw new ServiceError('bad_input', 'A render manifest needs absolute paths');
  const p = s.probe;
  const probe: RenderSourceProbe = {
    width: p.width,
    height: p.height,
    pixFmt: p.pixFmt,
    bitDepth: p.bitDepth,
    frameRate: p.frameRate,
    vfr: p.vfr,
    sar: p.sar,
    fieldOrder: p.fieldOrder,
    colour: p.colour,
    startTime: p.startTime,
    durationFrames: p.durationFrames,
  };
  const input = media.outputSize({ file: s.file, probe: p, options: s.clip }, s.inputWidth);
  const scale = s.model.scale;
  return RenderManifest.parse({
    formatVersion: RENDER_FORMAT_VERSION,
    source: { path: s.file, fingerprint: s.fingerprint, probe },
    frames: s.frames,
    clip: s.clip,
    input,
    model: { path: s.model.path, sha256: sha256File(s.model.path), scale },
    grade: s.grade,
    output: { width: input.width * scale, height: input.height * scale },
    segmentFrames: s.segmentFrames,
  });
}

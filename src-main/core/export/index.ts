// Export: rendered frames to verified HDR10 masters (HEVC Main10, ProRes 4444 XQ / 422 HQ, 16-bit TIFF).
export { exportMaster, estimateMasterBytes, type ExportDeps, type ExportProgress, type ExportResult } from './export';
export {
  verifyMaster,
  FALL_TOLERANCE_PQ_CODES,
  type MasterExpectation,
  type VerifyCheck,
  type VerifyReport,
} from './verify';
export {
  MASTER_FORMATS,
  MASTERING_DISPLAYS,
  RASTERS,
  frameCount,
  tiffFrames,
  type ExportFrameLight,
  type ExportInput,
  type ExportPlan,
  type FrameRate,
  type MasterFormat,
  type MasteringPresetName,
} from './plan';
export { sidecarPaths, type HdrSidecar } from './sidecar';

// The render farm: shots rendered by many machines through BullMQ on Redis (submit, worker, status), or handed
// to a facility's scheduler as an Open Job Description job bundle. Both run render-shot's code on the nodes.
export { FARM_QUEUE, mapPath, mapManifest, parsePathMapping, type PathMapping, type ShotJobResult } from './jobs';
export { FarmQueue, redisConnection, type FarmJobView } from './queue';
export { runFarmWorker, type FarmWorkerSettings, type RunningFarmWorker } from './worker';
export {
  farmStatus,
  mergeFarmRenders,
  submitToFarm,
  type FarmStatus,
  type ShotFarmStatus,
  type SubmitSummary,
} from './plan';
export {
  EXPORT_SCRIPT,
  MANIFEST_LIST_FILE,
  OPENJD_TEMPLATE_FILE,
  RENDER_TASK_SCRIPT,
  writeOpenJdBundle,
  type OpenJdBundle,
} from './openjd';

// `remaster worker`: a render machine of the BullMQ farm. Takes shot jobs one at a time and runs render-shot's
// code on each; never opens the library. Ctrl-C or SIGTERM stops it: the render in hand stops at once and
// another machine resumes it from its finished segments.
import { CliError, defineCommand } from '../context';

export default defineCommand({
  name: 'worker',
  args: [],
  summary: 'a farm render node: renders shot jobs into the shared render cache; never opens the library',
  options: {
    redis: { type: 'string', value: 'URL', required: true, help: 'redis://host:6379 (rediss:// for TLS)' },
    cache: {
      type: 'string',
      value: 'DIR',
      required: true,
      help: "the library's cache folder as this machine mounts it (renders go to DIR/<project>/renders/<hash>)",
    },
    map: {
      type: 'string',
      value: 'FROM=TO',
      multiple: true,
      help: 'a path prefix of the submitting machine (media, models) as this machine sees it',
    },
    'lock-seconds': {
      type: 'string',
      value: 'N',
      default: '30',
      help: 'how long a job stays with a silent worker before another machine takes it',
    },
  },
  async run({ options }, ctx) {
    const [{ runFarmWorker, parsePathMapping, redisConnection }, { createLogger }, { resolve }] = await Promise.all([
      import('../../core/farm'),
      import('../../core/log'),
      import('node:path'),
    ]);
    redisConnection(options.redis); // a bad URL is bad input, before anything starts
    const lockSeconds = Number(options['lock-seconds']);
    if (!Number.isFinite(lockSeconds) || lockSeconds < 2 || lockSeconds > 3600)
      throw new CliError(`--lock-seconds ${options['lock-seconds']}: 2 to 3600`);
    const worker = runFarmWorker({
      redis: options.redis,
      cacheRoot: resolve(options.cache),
      mappings: options.map.map(parsePathMapping),
      lockSeconds,
      log: createLogger({ quiet: true, level: 'warn' }),
      say: (line) => process.stdout.write(line + '\n'),
      progress: (line) => ctx.progress(line),
    });
    process.stdout.write(`worker ${process.pid}: waiting for jobs on ${options.redis.replace(/\/\/[^@]*@/, '//')}\n`);
    await new Promise<void>((done) => {
      const stop = (): void => {
        process.stdout.write(`worker ${process.pid}: stopping\n`);
        worker.stop(true).then(done, done);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
});

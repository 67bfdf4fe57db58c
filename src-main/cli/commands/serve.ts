// `remaster serve`: the headless host (browser mode). Also what `npm start` falls back to without Electron.
import { parseArgs } from 'node:util';
import { createCore } from '../../core';
import { startHost } from '../../host/server';
import { CliError, type CliCommand } from '../context';

const serve: CliCommand = async (args, ctx) => {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        port: { type: 'string', default: '7450' },
        bind: { type: 'string', default: '127.0.0.1' },
        'no-demo': { type: 'boolean', default: false },
        'media-root': { type: 'string', multiple: true },
      },
    }));
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be 0..65535, got ${values.port}`);
  const core = createCore({ host: 'headless', dataDir: ctx.dataDir, demo: !values['no-demo'], mediaRoots: values['media-root'] });
  let host;
  try {
    host = await startHost({ core, port, bind: values.bind });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      // Another Remaster (or anything else) has the port: take any free one rather than fail.
      host = await startHost({ core, port: 0, bind: values.bind });
    } else throw e;
  }
  if (values.bind !== '127.0.0.1' && values.bind !== 'localhost' && values.bind !== '::1') {
    ctx.progress(`warning: listening on ${values.bind}: anyone who can reach this address and has the URL's token can use Remaster`);
  }
  process.stdout.write(`Remaster (browser mode) is running. Open:\n  ${host.url}\n`);
  const stop = async (): Promise<void> => {
    await host.close();
    await core.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  return -1; // keep running
};

export default serve;

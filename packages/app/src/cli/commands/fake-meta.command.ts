import { addDays } from '@roas/core';
import { loadScenario } from '@roas/sim';
import { parseFaults, startFakeGraph } from '@roas/sim/fake-graph';
import { Option, type Command } from 'commander';
import { UserError } from '../../shared/errors.ts';

/** Waits for Ctrl-C or a termination signal. */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

export function registerFakeMetaCommand(program: Command): void {
  program
    .command('fake-meta')
    .description(
      'serve the fake Graph API on 127.0.0.1, driven by the simulated market, for trials and tests',
    )
    .option('--port <port>', 'port (0 picks a free one)', '5555')
    .option('--scenario <preset|file.json>', 'market scenario', 'default')
    .option('--seed <n>', 'random seed', '1')
    .option('--faults <spec>', 'faults, e.g. "throttle:0.1,transient:0.05,page-fail:3"')
    .option('--start-day <n>', 'simulated days of history before the server starts', '60')
    .addOption(
      new Option('--advance-every <seconds>', 'advance the simulated market one day this often').argParser(
        Number,
      ),
    )
    .option('--json', 'print the connection details as JSON')
    .action(
      async (options: {
        port: string;
        scenario: string;
        seed: string;
        faults?: string;
        startDay: string;
        advanceEvery?: number;
        json?: boolean;
      }) => {
        const numberOf = (flag: string, text: string) => {
          const n = Number(text);
          if (!Number.isInteger(n) || n < 0)
            throw new UserError(`${flag} "${text}": expected a whole number`);
          return n;
        };
        const startDay = numberOf('--start-day', options.startDay);
        if (options.faults) {
          try {
            parseFaults(options.faults);
          } catch (error) {
            throw new UserError(`--faults: ${(error as Error).message}`);
          }
        }
        const base = loadScenario(options.scenario);
        // Anchor the simulated calendar so the market's current day is today's date.
        const scenario = { ...base, startDate: addDays(new Date().toISOString().slice(0, 10), -startDay) };
        const server = await startFakeGraph({
          port: numberOf('--port', options.port),
          scenario,
          seed: numberOf('--seed', options.seed),
          startDay,
          ...(options.faults ? { faults: options.faults } : {}),
        }).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'EADDRINUSE')
            throw new UserError(`--port ${options.port} is in use; choose another or 0 for any free port`);
          throw error;
        });
        const details = {
          url: server.url,
          accountId: server.accountId,
          accessToken: server.accessToken,
          appId: server.appId,
          appSecret: server.appSecret,
          apiVersion: server.apiVersion,
          control: `${server.url}/__control`,
        };
        if (options.json) console.log(JSON.stringify(details, null, 2));
        else {
          console.log(
            `Fake Graph API on ${server.url} (account ${server.accountId}, scenario ${base.name}, seed ${options.seed})`,
          );
          console.log(`Control endpoint: ${details.control}`);
          console.log('\nTo use it from another terminal:');
          console.log(
            `  export META_GRAPH_URL=${server.url} META_DIALOG_URL=${server.url} META_APP_ID=${server.appId} META_APP_SECRET=${server.appSecret}`,
          );
          console.log(`  npx roas accounts add --token '${server.accessToken}'`);
          console.log('  npx roas sync\n\nCtrl-C to stop.');
        }
        const timer =
          options.advanceEvery && options.advanceEvery > 0
            ? setInterval(() => server.control.advance({ days: 1 }), options.advanceEvery * 1000)
            : undefined;
        await untilStopped();
        if (timer) clearInterval(timer);
        await server.close();
      },
    );
}

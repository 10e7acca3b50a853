import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { checkPortFree, startHttpServer, type RunningServer } from '../../http/server.ts';
import { createContext, type AppContext } from '../../main.ts';
import { InProcessScheduler } from '../../jobs/in-process-scheduler.ts';
import { describeSchedule, scheduleFrom } from '../../jobs/schedule.ts';
import { ensureDemoData, startDemoMarket, type DemoMarket } from '../../services/demo.service.ts';
import { describeFirstRunAdmin, ensureAdmin } from '../../services/users.service.ts';

/** Waits for Ctrl-C or a termination signal. */
export function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * The server: migrate (in createContext), the first admin, then listen. With `demo`, the fake Graph
 * API runs in this process and the demo account is created on the first start (reused afterwards).
 * Stops cleanly on SIGINT or SIGTERM.
 */
export async function serve(options: { demo: boolean }): Promise<void> {
  const startedAt = performance.now();
  const config = loadConfig();
  await checkPortFree(config.host, config.port);
  const context = await createContext(config);
  let demo: DemoMarket | undefined;
  let server: RunningServer | undefined;
  let scheduler: InProcessScheduler | undefined;
  try {
    let appContext: AppContext = context;
    if (options.demo) {
      demo = await startDemoMarket(context, new Date());
      appContext = demo.context;
    }
    // Listen first: a busy port fails before anything is created or printed.
    server = await startHttpServer(appContext, { host: context.config.host, port: context.config.port });
    const admin = describeFirstRunAdmin(await ensureAdmin(context));
    if (admin !== null) console.log(admin);
    if (demo) {
      const result = await ensureDemoData(demo, {
        now: () => new Date(),
        onStep: (text) => console.log(text),
      });
      const what = result.created
        ? `Created the demo account "${result.accountName}" (${result.accountId}): ${demo.record.scenario} scenario, seed ${demo.record.seed}, simulated by the fake Graph API in this process.`
        : `Reusing the demo account "${result.accountName}" (${result.accountId}).`;
      console.log(what);
      if (result.run) {
        const counts = Object.entries(result.run.counts)
          .filter(([, n]) => n > 0)
          .map(([action, n]) => `${n} ${action}`)
          .join(', ');
        console.log(
          `Recommendations: ${result.run.total} ad sets (${counts}); sync ${seconds(result.timings.syncMs)}, engine ${seconds(result.timings.recommendMs)}.`,
        );
      }
    }
    // On PostgreSQL the jobs belong to `roas worker` processes, which share the queue safely.
    if (config.scheduler === 'off') console.log('Scheduled jobs are off (ROAS_SCHEDULER=off).');
    else if (context.database.engine !== 'pglite')
      console.log('Scheduled jobs run in `roas worker` processes (DATABASE_URL is set).');
    else {
      scheduler = new InProcessScheduler({ context: appContext, schedule: scheduleFrom(config) });
      await scheduler.start();
      console.log(`Scheduled jobs run in this process: ${describeSchedule(scheduleFrom(config))}.`);
    }
    console.log(
      `ROAS Pilot is running at ${server.url} (listening on ${server.host}:${server.port}; ${context.database.engine} database; ready in ${seconds(performance.now() - startedAt)}). Ctrl-C to stop.`,
    );
    const signal = await untilStopped();
    context.logger.info({ signal }, 'stopping');
  } finally {
    await scheduler?.stop();
    await server?.close();
    await demo?.close();
    await context.close();
  }
}

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description('serve the dashboard and API for your accounts on HOST:PORT (default 127.0.0.1:8000)')
    .action(() => serve({ demo: false }));
  program
    .command('demo')
    .description(
      'serve with a simulated demo account: created on the first start from the fake Graph API (60 days synced, engine run), reused afterwards',
    )
    .action(() => serve({ demo: true }));
}

import { Option, type Command } from 'commander';
import {
  agreeing,
  reviewsAnswer,
  startFakeAnthropic,
  type FakeScript,
} from '../../adapters/anthropic/fake-anthropic-server.ts';
import { UserError } from '../../shared/errors.ts';

const MODES = ['agree', 'cautious', 'bold', 'malformed', 'down'] as const;
type Mode = (typeof MODES)[number];

/** How the fake analyst answers in each mode: the cases the real analyst's answers are guarded against. */
const SCRIPTS: Record<Mode, FakeScript> = {
  agree: (request) => reviewsAnswer(request, agreeing),
  // Holds every Scale, Pause and Promote: a valid downgrade, merged.
  cautious: (request) =>
    reviewsAnswer(request, (item) => ({
      ...agreeing(item),
      validation: item.engine.action === 'HOLD' || item.engine.action === 'RETEST' ? 'agree' : 'disagree',
      action: item.engine.action === 'RETEST' ? 'RETEST' : 'HOLD',
      scalePercent: null,
      riskFlags: ['the fake analyst holds everything'],
    })),
  // Asks to scale everything by 100%: refused, the engine's decisions stand.
  bold: (request) =>
    reviewsAnswer(request, (item) => ({
      ...agreeing(item),
      validation: 'disagree',
      action: 'SCALE',
      scalePercent: 100,
    })),
  malformed: () => ({ kind: 'answer', text: 'I think these all look fine!' }),
  down: () => ({ kind: 'status', status: 529, message: 'overloaded' }),
};

function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

export function registerFakeAnthropicCommand(program: Command): void {
  program
    .command('fake-anthropic')
    .description('serve a fake Anthropic Messages API on 127.0.0.1 for trying the Claude analyst offline')
    .option('--port <port>', 'port (0 picks a free one)', '5556')
    .addOption(
      new Option('--mode <mode>', 'how the fake analyst answers').choices([...MODES]).default('agree'),
    )
    .option('--json', 'print the connection details as JSON')
    .action(async (options: { port: string; mode: Mode; json?: boolean }) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UserError(`--port "${options.port}": expected a port number`);
      const server = await startFakeAnthropic({ port, script: SCRIPTS[options.mode] }).catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'EADDRINUSE')
            throw new UserError(`--port ${options.port} is in use; choose another or 0 for any free port`);
          throw error;
        },
      );
      if (options.json)
        console.log(JSON.stringify({ url: server.url, apiKey: server.apiKey, mode: options.mode }));
      else {
        console.log(`Fake Anthropic Messages API on ${server.url} (mode ${options.mode})`);
        console.log('\nTo use it from another terminal:');
        console.log(`  export ANTHROPIC_BASE_URL=${server.url} ANTHROPIC_API_KEY=${server.apiKey}`);
        console.log('  npx roas recommend --explain\n\nCtrl-C to stop.');
      }
      await untilStopped();
      await server.close();
    });
}

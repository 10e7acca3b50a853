import { Command, CommanderError } from 'commander';
import { registerAccountsCommand } from './commands/accounts.command.ts';
import { registerApplyCommand } from './commands/apply.command.ts';
import { registerConfigCommand } from './commands/config.command.ts';
import { registerFakeAnthropicCommand } from './commands/fake-anthropic.command.ts';
import { registerFakeMetaCommand } from './commands/fake-meta.command.ts';
import { registerHealthCommand } from './commands/health.command.ts';
import { registerSlackCommands } from './commands/slack.command.ts';
import { registerSyncCommand } from './commands/sync.command.ts';
import { registerThresholdsCommand } from './commands/thresholds.command.ts';
import { registerTrainCommand } from './commands/train.command.ts';
import { registerDbCommand } from './commands/db.command.ts';
import { registerImportCommand } from './commands/import.command.ts';
import { registerOutcomesCommand } from './commands/outcomes.command.ts';
import { registerRecommendCommand } from './commands/recommend.command.ts';
import { registerReportCommand } from './commands/report.command.ts';
import { registerServeCommands } from './commands/serve.command.ts';
import { registerSimulateCommand } from './commands/simulate.command.ts';
import { registerStartCommand } from './commands/start.command.ts';
import { registerUsersCommand } from './commands/users.command.ts';
import { registerWorkerCommand } from './commands/worker.command.ts';
import { describeCliError } from './errors.ts';

const program = new Command('roas')
  .description('ROAS Pilot: judge Meta ad sets and ads on ROAS and recommend Scale, Hold, Pause or Retest')
  .showHelpAfterError('(run `roas --help` for usage)')
  .exitOverride();

registerServeCommands(program);
registerStartCommand(program);
registerImportCommand(program);
registerReportCommand(program);
registerRecommendCommand(program);
registerApplyCommand(program);
registerOutcomesCommand(program);
registerSimulateCommand(program);
registerAccountsCommand(program);
registerSyncCommand(program);
registerFakeMetaCommand(program);
registerFakeAnthropicCommand(program);
registerDbCommand(program);
registerConfigCommand(program);
registerUsersCommand(program);
registerHealthCommand(program);
registerSlackCommands(program);
registerWorkerCommand(program);
registerThresholdsCommand(program);
registerTrainCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are exit 0; usage mistakes are exit 2, as in most Unix tools.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    console.error(`Error: ${describeCliError(error)}`);
    process.exitCode = 1;
  }
}

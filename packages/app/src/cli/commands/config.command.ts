import type { Command } from 'commander';
import { describeConfig, loadConfig } from '../../config.ts';

export function registerConfigCommand(program: Command): void {
  program
    .command('config')
    .description('print the effective configuration (secrets masked)')
    .option('--json', 'print as JSON')
    .action((options: { json?: boolean }) => {
      const described = describeConfig(loadConfig());
      if (options.json) console.log(JSON.stringify(described, null, 2));
      else
        for (const [key, value] of Object.entries(described)) console.log(`${key}: ${value ?? '(not set)'}`);
    });
}

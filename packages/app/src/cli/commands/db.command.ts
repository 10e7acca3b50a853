import type { Command } from 'commander';
import { runWithContext } from '../run.ts';

export function registerDbCommand(program: Command): void {
  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('apply pending migrations (they also run on every start)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      await runWithContext(({ database }) => {
        const result = { engine: database.engine, location: database.location, migrated: true };
        console.log(
          options.json
            ? JSON.stringify(result)
            : `Migrations applied (${database.engine}: ${database.location}).`,
        );
      });
    });
}

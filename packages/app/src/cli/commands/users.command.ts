import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { Option, type Command } from 'commander';
import type { AuditActor } from '../../services/audit.service.ts';
import { addUser, listUsers, removeUser, ROLES, type Role } from '../../services/users.service.ts';
import { UserError } from '../../shared/errors.ts';
import { renderTable } from '../format.ts';
import { runWithContext } from '../run.ts';

/** The person at the terminal, for the audit trail: the operating-system user. */
function cliActor(): AuditActor {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // Some containers run as a uid with no passwd entry.
  }
  return { kind: 'system', name: `cli:${name}` };
}

const firstLine = (text: string) => text.split(/\r?\n/)[0] ?? '';

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let value: string[] = [];
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value.join(''));
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') return finish(new UserError('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value.push(ch);
      }
      return undefined;
    };
    process.stderr.write(question);
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** The new password: from a file (its first line), typed twice at a terminal, or the first line of stdin. */
async function readNewPassword(username: string, passwordFile: string | undefined): Promise<string> {
  if (passwordFile !== undefined) {
    let text: string;
    try {
      text = await readFile(passwordFile, 'utf8');
    } catch {
      throw new UserError(`${passwordFile}: cannot read the password file`);
    }
    return firstLine(text);
  }
  if (process.stdin.isTTY) {
    const password = await promptHidden(`Password for ${username}: `);
    const again = await promptHidden('Type it again: ');
    if (password !== again) throw new UserError('the two passwords differ; nothing was changed');
    return password;
  }
  return firstLine(await readStdin());
}

export function registerUsersCommand(program: Command): void {
  const group = program
    .command('users')
    .description('people who can sign in to the dashboard, and their roles');

  group
    .command('add')
    .description(
      'add a user (viewer: read; approver: also approve and reject; admin: also settings, users, accounts)',
    )
    .argument('<username>', 'letters, digits and . _ @ -; compared without case')
    .addOption(new Option('--role <role>', 'what the user may do').choices(ROLES).makeOptionMandatory())
    .option('--password-file <path>', 'read the password from the first line of this file')
    .option('--json', 'print the user as JSON')
    .addHelpText(
      'after',
      `\nWithout --password-file the password is asked for twice (not echoed), or read from the first line of stdin.\nIt must be at least 12 characters.`,
    )
    .action(async (username: string, options: { role: Role; passwordFile?: string; json?: boolean }) => {
      const password = await readNewPassword(username, options.passwordFile);
      await runWithContext(async ({ database }) => {
        const { user, reactivated } = await addUser(
          database.db,
          { username, password, role: options.role },
          { actor: cliActor() },
        );
        if (options.json) console.log(JSON.stringify({ user, reactivated }, null, 2));
        else if (reactivated)
          console.log(`Added ${user.username} (${user.role}) again; they had been removed before.`);
        else console.log(`Added ${user.username} (${user.role}).`);
      });
    });

  group
    .command('list')
    .description('list the users who can sign in, with their roles')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      await runWithContext(async ({ database }) => {
        const users = await listUsers(database.db);
        if (options.json) {
          console.log(JSON.stringify({ users }, null, 2));
          return;
        }
        if (users.length === 0) {
          console.log(
            'No users yet: the server creates an admin on its first start, or run `roas users add`.',
          );
          return;
        }
        console.log(
          renderTable(
            [
              { header: 'Username', value: (u) => u.username, align: 'left' },
              { header: 'Role', value: (u) => u.role, align: 'left' },
              { header: 'Created', value: (u) => u.createdAt.slice(0, 16).replace('T', ' '), align: 'left' },
            ],
            users,
          ),
        );
      });
    });

  group
    .command('remove')
    .description('remove a user: they can no longer sign in and their sessions end (the last admin stays)')
    .argument('<username>')
    .option('--json', 'print the removed user as JSON')
    .action(async (username: string, options: { json?: boolean }) => {
      await runWithContext(async ({ database }) => {
        const user = await removeUser(database.db, username, { actor: cliActor() });
        if (options.json) console.log(JSON.stringify({ removed: user }, null, 2));
        else console.log(`Removed ${user.username} (${user.role}); their sessions have ended.`);
      });
    });
}

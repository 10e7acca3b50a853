import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

type LockOwner = { pid: number; hostname: string; command: string; startedAt: string };

/** A second process tried to open a PGlite directory another live process owns. */
export class DataDirLockedError extends Error {
  constructor(
    readonly lockFile: string,
    readonly owner: LockOwner,
  ) {
    super(
      `the database in ${lockFile.replace(/\.lock$/, '')} is in use by process ${owner.pid} ` +
        `("${owner.command}", host ${owner.hostname}, since ${owner.startedAt}). ` +
        `Stop that process, or use DATABASE_URL=postgres://... to share one database between processes.`,
    );
    this.name = 'DataDirLockedError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(lockFile: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(lockFile, 'utf8')) as LockOwner;
  } catch {
    return null;
  }
}

/**
 * Takes exclusive ownership of a PGlite data directory through an O_EXCL lock file. PGlite itself lets
 * two processes open one directory and silently lose writes, so this is the only guard.
 * A lock left by a dead process on this host is taken over.
 */
export function acquireDataDirLock(lockFile: string): () => void {
  const me: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    command: process.argv.slice(1).join(' ').slice(0, 200),
    startedAt: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        if (readOwner(lockFile)?.pid === me.pid) unlinkSync(lockFile);
      };
      process.on('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(lockFile);
      const isStale = owner !== null && owner.hostname === me.hostname && !isAlive(owner.pid);
      // An unreadable lock is a writer caught between create and write; retry before judging it.
      if (owner === null && attempt < 2) continue;
      if (!isStale) {
        throw new DataDirLockedError(
          lockFile,
          owner ?? { pid: -1, hostname: 'unknown', command: 'unknown', startedAt: 'unknown' },
        );
      }
      unlinkSync(lockFile);
    }
  }
  throw new Error(`could not take the lock ${lockFile}`);
}

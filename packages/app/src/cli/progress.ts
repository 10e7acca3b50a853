import { SingleBar } from 'cli-progress';

/** A progress bar on stderr when a person is watching; silent in pipes, CI and --json runs. */
export function createProgress(label: string, enabled: boolean) {
  if (!enabled || !process.stderr.isTTY)
    return { update: (_done: number, _total: number) => {}, stop: () => {} };
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} rows | {eta_formatted} left`,
    stream: process.stderr,
    hideCursor: true,
  });
  let started = false;
  return {
    update(done: number, total: number) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

import { Worker } from 'node:worker_threads';

/** A worker's answer that stopped its task: the pool rejects with it. */
export type PoolErrorReply = { type: 'error'; id: number; message: string };

export type WorkerPoolOptions<Task> = {
  /** The worker's entry (a plain-JS shim that registers tsx, then loads the TypeScript worker). */
  entry: URL;
  tasks: readonly Task[];
  workerCount: number;
  /** Sent once to each worker before its first task (shared state such as the scenario). */
  init?: unknown;
  /** The message that asks a worker for task `id` (the task's index). */
  request: (task: Task, id: number) => unknown;
  /** Called as each task finishes, with how many have. */
  onResult?: (done: number, task: Task) => void;
  /** Names for error messages: the worker ("benchmark worker") and a task ("run"). */
  workerName: string;
  taskName: string;
};

/**
 * Runs every task on `workerCount` worker threads, feeding each worker its next task as it answers;
 * the workers' result replies come back in task order. The first error or early exit stops every worker and rejects.
 */
export function runOnWorkers<Task, Result extends { type: 'result'; id: number }>(
  options: WorkerPoolOptions<Task>,
): Promise<Result[]> {
  const { tasks } = options;
  return new Promise((resolve, reject) => {
    const results = new Array<Result | undefined>(tasks.length);
    const workers: Worker[] = [];
    let next = 0;
    let done = 0;
    let settled = false;

    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      for (const worker of workers) void worker.terminate();
      if (error) reject(error);
      else resolve(results.filter((r): r is Result => r !== undefined));
    };
    // Idle workers simply wait: they are all terminated together once the last result is in.
    const feed = (worker: Worker) => {
      const id = next++;
      const task = tasks[id];
      if (task !== undefined) worker.postMessage(options.request(task, id));
    };

    for (let w = 0; w < options.workerCount; w++) {
      const worker = new Worker(options.entry);
      workers.push(worker);
      worker.on('error', (error) => finish(error));
      worker.on('exit', (code) => {
        if (!settled) finish(new Error(`${options.workerName} exited early with code ${code}`));
      });
      worker.on('message', (reply: Result | PoolErrorReply) => {
        if (reply.type === 'error') {
          finish(new Error(`${options.taskName} ${reply.id} failed: ${reply.message}`));
          return;
        }
        const task = tasks[reply.id];
        results[reply.id] = reply;
        done++;
        if (task !== undefined) options.onResult?.(done, task);
        if (done === tasks.length) finish(null);
        else feed(worker);
      });
      if (options.init !== undefined) worker.postMessage(options.init);
      feed(worker);
    }
  });
}

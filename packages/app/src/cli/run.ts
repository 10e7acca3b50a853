import { createContext, type AppContext } from '../main.ts';

/** Opens the application context for one command and always closes it, releasing the database. */
export async function runWithContext<T>(work: (context: AppContext) => Promise<T> | T): Promise<T> {
  const context = await createContext();
  try {
    return await work(context);
  } finally {
    await context.close();
  }
}

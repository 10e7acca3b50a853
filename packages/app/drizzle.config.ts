import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './packages/app/src/adapters/db/schema.ts',
  out: './packages/app/drizzle',
});

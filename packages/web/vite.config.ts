import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev -w packages/web` serves the dashboard with hot reload and sends /api to a running
// `roas demo` or `roas serve` (ROAS_API_URL, default http://localhost:8000).
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), tailwindcss()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 700 },
  server: {
    proxy: { '/api': { target: process.env.ROAS_API_URL ?? 'http://localhost:8000', changeOrigin: false } },
  },
});

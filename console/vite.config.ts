import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// Served by the API at /console (api/routes/console.ts). `npm run console:dev` serves it with hot
// reload and sends /api to the API of `npm start` (CONSOLE_API_URL to point elsewhere).
export default defineConfig({
  root,
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1000 },
  server: { proxy: { '/api': process.env.CONSOLE_API_URL ?? 'http://127.0.0.1:3000' } },
});

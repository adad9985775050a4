// Two pages: index.html is the playground; headless.html is the plain page the CLI (npm run train,
// npm run bench) drives in headless Chromium, running the same engine without React.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  build: {
    target: 'es2022',
    rollupOptions: {
      input: { main: 'index.html', headless: 'headless.html' },
    },
  },
  worker: { format: 'es' },
});

import { defineConfig } from 'vite';

// The client lives in client/; `npm start` builds it into dist/client and the server serves it.
export default defineConfig({
  root: 'client',
  publicDir: 'public',
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    // Phaser is one large chunk, loaded after the menu shows; the initial chunk is small.
    chunkSizeWarningLimit: 2000,
  },
  server: {
    host: '127.0.0.1',
  },
});

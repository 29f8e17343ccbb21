import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import ElementPlus from 'unplugin-element-plus/vite';
import { compression } from 'vite-plugin-compression2';

// Served by the api at /console/ (apps/api/src/console/console-spa.ts); every asset is bundled, nothing is fetched from the internet.
// ElementPlus: each `import { ElX } from 'element-plus'` brings only ElX's stylesheet, so the login screen does not
// load the whole theme. compression: brotli and gzip copies next to each asset, served as they are (no work per request).
export default defineConfig({
  base: '/console/',
  // The service's table of words (levels, colours, hazards, roles, answers, reasons): one source for server and console.
  resolve: { alias: { '@words': fileURLToPath(new URL('../libs/config/src/words.ts', import.meta.url)) } },
  plugins: [
    vue(),
    ElementPlus({ useSource: false }),
    compression({ algorithms: ['brotliCompress', 'gzip'], threshold: 1024, exclude: [/\.html$/] }),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks: (id) => (id.includes('echarts') || id.includes('zrender') ? 'echarts' : undefined),
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});

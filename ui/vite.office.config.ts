/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The township office's web pages, served by `anju-office serve` at `/` (see
// docs/office-pages-api.md). A second build beside the field app: its own root and output.
// Everything is bundled (no CDN, no web fonts): offices may sit on a closed network.
// Paths are relative to the folder npm runs in (ui/): root office/, output ui/dist-office/.

export default defineConfig({
  root: 'office',
  base: '/',
  cacheDir: '../node_modules/.vite-office',
  plugins: [vue()],
  clearScreen: false,
  server: {
    port: 5174,
    strictPort: true,
    proxy: { '/api': { target: 'http://127.0.0.1:8090', changeOrigin: false } },
  },
  build: {
    target: 'es2021',
    outDir: '../dist-office',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      output: {
        // Libraries in their own chunks, so a change of the pages keeps them cached.
        codeSplitting: {
          groups: [
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)/ },
            { name: 'element-plus', test: /node_modules[\\/](element-plus|@element-plus|@vueuse|@floating-ui|lodash|dayjs)/ },
            { name: 'vue', test: /node_modules[\\/](vue|@vue|vue-router|vue-i18n|@intlify)/ },
          ],
        },
      },
    },
  },
  test: {
    root: 'office',
    environment: 'jsdom',
    include: ['tests/**/*.test.ts'],
  },
})

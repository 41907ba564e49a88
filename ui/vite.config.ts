/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The app is served from the Tauri asset protocol (CSP default-src 'self'): relative base,
// everything bundled, syntax the WebKitGTK / Android WebView of the field phones understand.
export default defineConfig({
  base: './',
  plugins: [vue()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    target: ['es2021', 'safari15'],
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
  },
})

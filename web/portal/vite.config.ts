import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

// The portal. `vite build` writes to OPENMPS_PORTAL_OUT (CMake sets it to the
// build directory) or portal/dist. In development (`npm run dev:portal`) the
// API is proxied to a running openmps-server named by OPENMPS_SERVER.
const server = process.env.OPENMPS_SERVER ?? 'https://127.0.0.1:8443'

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [vue()],
  resolve: {
    alias: { '@shared': fileURLToPath(new URL('../shared', import.meta.url)) },
  },
  define: {
    __VUE_OPTIONS_API__: false,
    __VUE_PROD_DEVTOOLS__: false,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __INTLIFY_JIT_COMPILATION__: true,
    __INTLIFY_DROP_MESSAGE_COMPILER__: false,
  },
  build: {
    outDir: process.env.OPENMPS_PORTAL_OUT ?? fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2020',
    chunkSizeWarningLimit: 800,
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      '/api': { target: server, changeOrigin: false, secure: false },
    },
  },
})

import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

// The client's local UI. `vite build` writes to OPENMPS_LOCAL_UI_OUT (CMake
// sets it to the build directory; the files are embedded in openmps-client)
// or local-ui/dist. Relative asset paths and hash routing: the daemon serves
// index.html and the assets and needs no fallback route. In development
// (`npm run dev:local-ui`) /api is proxied to a running client daemon named
// by OPENMPS_CLIENT_UI.
const daemon = process.env.OPENMPS_CLIENT_UI ?? 'http://127.0.0.1:52005'

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
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
    outDir: process.env.OPENMPS_LOCAL_UI_OUT ?? fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2020',
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      // The daemon checks the Host header: keep the browser's loopback name.
      '/api': { target: daemon, changeOrigin: false },
    },
  },
})

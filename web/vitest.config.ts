import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

// One Vitest run for both front ends and what they share.
export default defineConfig({
  plugins: [vue()],
  resolve: {
    alias: { '@shared': fileURLToPath(new URL('./shared', import.meta.url)) },
  },
  test: {
    environment: 'jsdom',
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**'],
    restoreMocks: true,
    // A page test imports and compiles its page first: on a loaded machine
    // that alone passed the default 5 s (and settle() waits up to 10 s).
    testTimeout: 30_000,
  },
})

/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// `base: "./"` keeps asset URLs relative, so the build works under any --static-prefix.
export default defineConfig({
  plugins: [react()],
  base: "./",
  build: { outDir: "../mltrail/server/static", emptyOutDir: true, chunkSizeWarningLimit: 600 },
  server: { proxy: { "/ajax-api": "http://127.0.0.1:5000", "/api": "http://127.0.0.1:5000" } },
  test: { environment: "node", globals: true, include: ["src/**/*.test.ts", "src/**/*.test.tsx"] },
});

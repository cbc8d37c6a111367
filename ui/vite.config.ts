// Vite builds ui/ into ui/dist, which tauri.conf.json (build.frontendDist) embeds in the app.
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [svelte()],
  // Relative asset URLs: the app serves dist/ from its own protocol, not from a web root.
  base: "./",
  clearScreen: false,
  server: { port: 1420, strictPort: true },
  preview: { port: 4173, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK 2.4x on Debian 12 and WebView2 both handle ES2022.
    target: "es2022",
  },
  test: {
    include: ["tests/unit/**/*.test.ts"],
    environment: "node",
  },
});

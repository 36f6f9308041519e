// The console is served at `/`, `/index.html` and `/assets/*` only (every other path is the API's), so the
// build puts everything except index.html under assets/ with content-hashed names (cached for a year).
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  // JSX compiles to Preact's automatic runtime (no Babel preset needed).
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    emptyOutDir: true,
    // The manifest tells `make bench` which chunks the first page loads.
    manifest: true,
    // No inlined data: URLs for scripts; the CSP allows scripts from 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: "es2022",
  },
});

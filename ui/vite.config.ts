import { defineConfig } from "vitest/config";
import vue from "@vitejs/plugin-vue";

// Tauri loads the built files from ui/dist (see ../src-tauri/tauri.conf.json).
export default defineConfig({
  plugins: [vue()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: { target: "safari15", outDir: "dist", emptyOutDir: true },
  test: { environment: "jsdom" },
});

// Start and stop the processes a GUI test needs: the stand-in host, tauri-driver, the CLI.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

export const ROOT = resolve(import.meta.dirname, "../..");
export const BIN = join(ROOT, "target/e2e");
export const OUT = join(ROOT, "tests/gui/out");
mkdirSync(OUT, { recursive: true });

export function tempHome() {
  return mkdtempSync(join(tmpdir(), "pixdrop-gui-"));
}

/** Run the pixdrop CLI against `home`; returns stdout. */
export function cli(home, ...args) {
  return execFileSync(join(BIN, "pixdrop"), ["--data-dir", home, ...args], { encoding: "utf8" });
}

/** Start the stand-in SM.MS/S.EE host; resolves with {url, stop}. */
export function startStandIn(token) {
  const child = spawn(join(BIN, "pixdrop-standin"), ["--token", token], { stdio: ["pipe", "pipe", "inherit"] });
  return new Promise((res, rej) => {
    child.once("error", rej);
    createInterface({ input: child.stdout }).once("line", (url) =>
      res({ url: url.trim(), stop: () => child.stdin.end() }),
    );
  });
}

/** A port that is free right now on 127.0.0.1. */
export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/** Resolve once something accepts connections on 127.0.0.1:port. */
export async function waitForPort(port, ms = 20000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const open = await new Promise((r) => {
      const s = createConnection({ host: "127.0.0.1", port }, () => {
        s.end();
        r(true);
      });
      s.once("error", () => r(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on port ${port}`);
}

/** Start tauri-driver with the app's data folder in its environment. */
export async function startDriver(home, port = 4444, env = {}) {
  const driver = process.env.TAURI_DRIVER ?? "tauri-driver";
  const child = spawn(driver, ["--port", String(port), "--native-port", String(port + 1)], {
    env: { ...process.env, ...env, PIXDROP_HOME: home },
    stdio: ["ignore", "inherit", "inherit"],
  });
  await waitForPort(port);
  const exited = new Promise((r) => child.once("exit", r));
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => {
      child.kill();
      return exited;
    },
  };
}

// Start and stop the processes a GUI test needs: the stand-in host, tauri-driver, the CLI.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "./webdriver.mjs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { deflateSync } from "node:zlib";
import { randomFillSync } from "node:crypto";

export const ROOT = resolve(import.meta.dirname, "../..");
export const BIN = join(ROOT, "target/e2e");
/** The app with its test hooks (dialogs answered from the environment, `test_drop`), built by
 *  scripts/setup.sh's build_test_apps; USER_APP is the same app as users run it. */
export const APP = process.env.PIXDROP_APP ?? join(BIN, "test-build/pixdrop-app");
export const USER_APP = join(BIN, "user-build/pixdrop-app");
export const OUT = join(ROOT, "tests/gui/out");
mkdirSync(OUT, { recursive: true });

// Each test file runs in its own process: its homes go when it ends well, and stay (to be
// looked at) when it fails.
const homes = [];
process.on("exit", (code) => {
  if (code === 0) for (const h of homes) rmSync(h, { recursive: true, force: true });
});

export function tempHome() {
  const home = mkdtempSync(join(tmpdir(), "pixdrop-gui-"));
  homes.push(home);
  return home;
}

/** Run the pixdrop CLI against `home`; returns stdout. */
export function cli(home, ...args) {
  return execFileSync(join(BIN, "pixdrop"), ["--data-dir", home, ...args], { encoding: "utf8" });
}

/** Start the stand-in SM.MS/S.EE host; resolves with {url, stop}. */
export function startStandIn(token, serve = {}) {
  const args = ["--token", token];
  for (const [name, path] of Object.entries(serve)) args.push("--serve", `${name}=${path}`);
  const child = spawn(join(BIN, "pixdrop-standin"), args, { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  return new Promise((res, rej) => {
    child.once("error", rej);
    lines.once("line", (url) =>
      res({
        url: url.trim(),
        stop: () => child.stdin.end(),
        /** Queue scripted answers for the next uploads (e.g. "500 slow:30"); resolves once queued. */
        script: (words) =>
          new Promise((done) => {
            lines.once("line", done);
            child.stdin.write(`script ${words}\n`);
          }),
      }),
    );
  });
}

export const S3_KEY = "PIXDROPGUIKEY";
export const S3_SECRET = "pixdrop-gui-secret-0123456789";

/** A port below 55000 whose gRPC twin (+10000) is free too, as SeaweedFS needs. */
async function seaweedPort() {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 25000);
    const free = (p) =>
      new Promise((res) => {
        const srv = createServer();
        srv.once("error", () => res(false));
        srv.listen(p, "127.0.0.1", () => srv.close(() => res(true)));
      });
    if ((await free(port)) && (await free(port + 10000))) return port;
  }
}

/**
 * Start SeaweedFS (from .venv, which scripts/test.sh fills) with an S3 gateway that checks
 * signatures (S3_KEY/S3_SECRET; anonymous reads allowed) and make `bucket`; resolves with
 * {endpoint, stop} once the bucket exists.
 */
export async function startSeaweed(bucket) {
  const dir = mkdtempSync(join(tmpdir(), "pixdrop-s3-"));
  const config = join(dir, "s3.json");
  writeFileSync(
    config,
    JSON.stringify({
      identities: [
        { name: "me", credentials: [{ accessKey: S3_KEY, secretKey: S3_SECRET }], actions: ["Admin", "Read", "Write", "List", "Tagging"] },
        { name: "anonymous", actions: ["Read"] },
      ],
    }),
  );
  const [master, volume, filer, s3] = [await seaweedPort(), await seaweedPort(), await seaweedPort(), await seaweedPort()];
  const child = spawn(
    join(ROOT, ".venv/bin/weed"),
    ["-logtostderr", "server", `-dir=${dir}`, "-ip=127.0.0.1", "-ip.bind=127.0.0.1", `-master.port=${master}`,
      `-volume.port=${volume}`, "-volume.max=4", "-master.volumeSizeLimitMB=64", "-filer", `-filer.port=${filer}`,
      "-s3", `-s3.port=${s3}`, `-s3.config=${config}`, "-s3.port.iceberg=0", "-s3.port.lance=0", "-master.telemetry=false"],
    { stdio: ["ignore", "ignore", "ignore"] },
  );
  const stop = async () => {
    child.kill("SIGTERM");
    const gone = new Promise((r) => child.once("exit", r));
    const t = setTimeout(() => child.kill("SIGKILL"), 3000);
    await gone;
    clearTimeout(t);
  };
  const endpoint = `http://127.0.0.1:${s3}`;
  try {
    await waitForPort(s3, 90000);
    const made = await run(join(ROOT, ".venv/bin/python"), [join(ROOT, "tests/gui/s3.py"), "make-bucket", endpoint, S3_KEY, S3_SECRET, bucket]);
    if (made.code !== 0) throw new Error(`SeaweedFS: ${made.stderr}`);
  } catch (e) {
    await stop();
    throw e;
  }
  return { endpoint, stop };
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

/** Start tauri-driver with the app's data folder in its environment, on ports free right now
 *  (a fixed port could reach a driver a failed run left behind, and with it another app). */
export async function startDriver(home, env = {}) {
  const driver = process.env.TAURI_DRIVER ?? "tauri-driver";
  const port = await freePort();
  let nativePort = await freePort();
  while (nativePort === port) nativePort = await freePort();
  const child = spawn(driver, ["--port", String(port), "--native-port", String(nativePort)], {
    env: { ...process.env, ...env, PIXDROP_HOME: home },
    stdio: ["ignore", "inherit", "pipe"],
  });
  // What the driver, WebKitWebDriver and the app print goes on to the run's output, and its end
  // is kept for a failure's message (an app that ended says why there, if anywhere).
  let said = "";
  child.stderr.on("data", (d) => {
    process.stderr.write(d);
    said = (said + d).slice(-6000);
  });
  const exited = new Promise((r) => child.once("exit", r));
  // tauri-driver listens at once and starts WebKitWebDriver beside it: a session asked for
  // before WebKitWebDriver listens fails ("fetch failed"), so both ports are waited for.
  await Promise.race([
    Promise.all([waitForPort(port), waitForPort(nativePort)]),
    exited.then((code) => {
      throw new Error(`tauri-driver exited (${code}) before it listened`);
    }),
  ]);
  return {
    url: `http://127.0.0.1:${port}`,
    /** The last lines printed, without WebKit's accessibility-bus warnings. */
    said: (lines = 8) =>
      said
        .split("\n")
        .filter((l) => l.trim() && !/a11y bus|^\s*$/.test(l))
        .slice(-lines)
        .join(" | "),
    stop: () => {
      child.kill();
      return exited;
    },
  };
}

/**
 * A per-test list of stops, run in reverse order after the test, each awaited: the WebDriver
 * session must close the app before tauri-driver goes, and one test's app must be gone before
 * the next starts (Pixdrop is single-instance).
 */
export function cleanup(t) {
  const stops = [];
  t.after(async () => {
    // Every stop runs even when one fails (a process left running would keep the test file's
    // process alive, and hold what the next test needs); the first failure is reported.
    let failure = null;
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure) throw failure;
  });
  return (stop) => stops.push(stop);
}

/** Run a program; resolves with {code, stdout, stderr}. */
export function run(cmd, args, options = {}) {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => (stdout += d));
    child.stderr?.on("data", (d) => (stderr += d));
    child.once("error", rej);
    child.once("exit", (code) => res({ code, stdout, stderr }));
  });
}

/** The X clipboard: put a PNG or text on it (xclip keeps serving it), read it back.
 *  xclip's first process exits before the server it forks owns the selection, so each put waits
 *  until the CLIPBOARD has a new owner: a read that follows finds the new content. */
export const xclip = {
  async image(file) {
    await takeClipboard(async () => {
      // xclip forks to serve the selection; nothing of ours may stay attached to it.
      const r = await run("xclip", ["-selection", "clipboard", "-t", "image/png", "-i", file], { stdio: "ignore" });
      if (r.code !== 0) throw new Error(`xclip could not take the clipboard (${r.code})`);
    });
  },
  async text(text) {
    await takeClipboard(async () => {
      const child = spawn("xclip", ["-selection", "clipboard", "-i"], { stdio: ["pipe", "ignore", "ignore"] });
      const exited = new Promise((r) => child.once("exit", r));
      child.stdin.end(text);
      if ((await exited) !== 0) throw new Error("xclip could not take the clipboard");
    });
  },
  async read() {
    const r = await run("xclip", ["-selection", "clipboard", "-o"]);
    return r.code === 0 ? r.stdout : "";
  },
};

/** The window that owns the CLIPBOARD selection now ("0": none). */
async function clipboardOwner() {
  const r = await run("/usr/bin/python3", [join(import.meta.dirname, "wm.py"), "owner", "CLIPBOARD"]);
  if (r.code !== 0) throw new Error(`cannot ask who owns the clipboard: ${r.stderr}`);
  return r.stdout.trim();
}

/** Run `put` and wait (bounded) until the clipboard has an owner it did not have before. */
async function takeClipboard(put) {
  const before = await clipboardOwner();
  await put();
  const deadline = Date.now() + 30000;
  for (;;) {
    const now = await clipboardOwner();
    if (now !== before && now !== "0") return;
    if (Date.now() > deadline) throw new Error("xclip did not take the clipboard");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The window manager's part, from wm.py: close a window as its × does; is it shown? */
export const wm = {
  async close(title) {
    const r = await run("/usr/bin/python3", [join(import.meta.dirname, "wm.py"), "close", title]);
    if (r.code !== 0) throw new Error(`no window titled ${title} to close: ${r.stderr}`);
  },
  /** Hold `keys` (e.g. "ctrl+alt+g") grabbed, as another app would; resolves with release(). */
  async grab(keys) {
    const child = spawn("/usr/bin/python3", [join(import.meta.dirname, "wm.py"), "grab", keys], { stdio: ["pipe", "pipe", "inherit"] });
    const exited = new Promise((r) => child.once("exit", r));
    await new Promise((res, rej) => {
      child.once("error", rej);
      createInterface({ input: child.stdout }).once("line", res);
    });
    return () => {
      child.stdin.end();
      return exited;
    };
  },
  /** Watch selection `sel` (e.g. "CLIPBOARD") change owners: `next()` resolves with the time
   *  (performance.now()) of the next change; `stop()` ends the watcher. */
  async owners(sel) {
    const child = spawn("/usr/bin/python3", [join(import.meta.dirname, "wm.py"), "owners", sel], { stdio: ["pipe", "pipe", "inherit"] });
    const exited = new Promise((r) => child.once("exit", r));
    const lines = createInterface({ input: child.stdout });
    let waiting = [];
    await new Promise((res, rej) => {
      child.once("error", rej);
      lines.once("line", res);
    });
    lines.on("line", () => {
      const now = performance.now();
      for (const f of waiting.splice(0)) f(now);
    });
    return {
      next: () => new Promise((r) => waiting.push(r)),
      stop: () => {
        child.stdin.end();
        return exited;
      },
    };
  },
  /** Watch for a window titled `title` to be mapped; resolves once watching, with `shown`, a
   *  promise of the time (performance.now()) the X server mapped it — an event, not a poll. */
  async mapped(title) {
    const child = spawn("/usr/bin/python3", [join(import.meta.dirname, "wm.py"), "mapped", title], { stdio: ["ignore", "pipe", "inherit"] });
    const lines = createInterface({ input: child.stdout });
    await new Promise((res, rej) => {
      child.once("error", rej);
      lines.once("line", res);
    });
    const shown = new Promise((res, rej) => {
      lines.once("line", () => res(performance.now()));
      child.once("exit", (code) => code && rej(new Error(`wm.py mapped ${title}: exit ${code}`)));
    });
    return { shown, stop: () => child.kill() };
  },
  async visible(title) {
    const r = await run("/usr/bin/python3", [join(import.meta.dirname, "wm.py"), "visible", title]);
    return Number(r.stdout.trim()) > 0;
  },
};

/** A distinct solid-colour PNG of w×h (its bytes differ per colour, so no dedupe). */
export function solidPng(w, h, [r, g, b]) {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) raw.set([r, g, b], y * (w * 3 + 1) + 1 + x * 3);
  }
  return rgbPng(w, h, raw);
}

/** A screenshot-sized PNG whose top `noisyRows` rows are random (photo-like, incompressible) and
 *  the rest a flat light grey: about 3·w·noisyRows bytes. */
export function screenshotPng(w, h, noisyRows) {
  const stride = w * 3 + 1;
  const raw = Buffer.alloc(stride * h, 0xf0);
  for (let y = 0; y < h; y++) {
    raw[y * stride] = 0; // filter: none
    if (y < noisyRows) randomFillSync(raw, y * stride + 1, w * 3);
  }
  return rgbPng(w, h, raw);
}

/** PNG from filtered RGB scanlines. */
function rgbPng(w, h, raw) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from("89504e470d0a1a0a", "hex"),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function crc32(buf) {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/**
 * Start the app through WebDriver, with its stops: `shot` (a file in out/) records what the
 * window showed at the end, pass or fail; then the session closes the app. Closing the window
 * would only hide it to the tray, so close-to-tray is turned off first.
 */
export async function openApp(stop, driver, home, shot, app = APP) {
  const s = await Session.start(driver.url, app);
  const pid = Number(execFileSync("pgrep", ["-n", "-f", app], { encoding: "utf8" }).trim());
  // Gone, or a zombie; the process may vanish between any two looks.
  const stat = () => {
    try {
      return readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      return "";
    }
  };
  const alive = () => {
    const st = stat();
    return st !== "" && !st.includes(") Z ");
  };
  // An app that ended before its test did (a crash: "invalid session id" in the test) says
  // why in its log, where a panic is kept; a zombie's stat still holds its exit status.
  const fate = () => {
    const st = stat();
    const state = st === "" ? "gone" : st.includes(") Z ") ? `a zombie, wait status ${st.trim().split(" ").at(-1)}` : "still running";
    let log = "(no log)";
    try {
      log = readFileSync(join(home, "logs", "pixdrop.log"), "utf8").split("\n").slice(-12).join(" | ");
    } catch {}
    return `the app (pid ${pid}) is ${state}; the end of its log: ${log}; printed last: ${driver.said?.() ?? ""}`;
  };
  s.whenGone = fate;
  stop(async () => {
    if (!alive()) console.error(`the app ended before its test did: ${fate()}`);
    cli(home, "settings", "set", "close_to_tray", "off");
    await s.end().catch(() => {});
    // WebKitWebDriver sometimes closes only the web view and leaves the window: close it as a
    // user would, and wait for the app to be gone (the next test's app is a new instance).
    const deadline = Date.now() + 15000;
    while (alive() && Date.now() < deadline) {
      await wm.close("Pixdrop").catch(() => {});
      await new Promise((r) => setTimeout(r, 200));
    }
    if (alive()) {
      process.kill(pid, "SIGKILL");
      throw new Error("the app did not quit when its window was closed");
    }
  });
  if (shot) stop(async () => writeFileSync(join(OUT, shot), await s.screenshot().catch(() => Buffer.alloc(0))));
  // The window is shown once the UI has built its first frame (ui_ready).
  await s.waitFor("the window to be shown", () => s.execute("return document.visibilityState === 'visible' && !!document.querySelector('[data-tab]')"));
  return s;
}

/** A D-Bus session of the test's own with GNOME Keyring running on it, unlocked (Debian
 *  gnome-keyring); resolves with {address, lookup(attrs), stop}. Nothing of another session is
 *  touched: the bus, HOME and XDG_RUNTIME_DIR are the test's. */
export async function startKeyring() {
  const dir = mkdtempSync(join(tmpdir(), "pixdrop-keyring-"));
  const bus = await startBus();
  const address = bus.address;
  mkdirSync(join(dir, "home"));
  mkdirSync(join(dir, "run"), { mode: 0o700 });
  const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: address, HOME: join(dir, "home"), XDG_RUNTIME_DIR: join(dir, "run") };
  delete env.DISPLAY;
  const keyring = spawn("gnome-keyring-daemon", ["--foreground", "--unlock", "--components=secrets"], { env, stdio: ["pipe", "ignore", "ignore"] });
  keyring.stdin.end("pixdrop-test");
  const busEnv = { ...process.env, DBUS_SESSION_BUS_ADDRESS: address };
  const owned = async () =>
    (await run("dbus-send", ["--session", "--dest=org.freedesktop.DBus", "--print-reply", "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets"], { env: busEnv })).stdout.includes("boolean true");
  const deadline = Date.now() + 60000;
  while (!(await owned())) {
    if (Date.now() > deadline) throw new Error("gnome-keyring-daemon took no bus name in 60 s");
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    address,
    lookup: async (...attrs) => {
      const r = await run("secret-tool", ["lookup", ...attrs], { env: busEnv });
      return r.code === 0 ? r.stdout : null;
    },
    stop: () => {
      keyring.kill();
      bus.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A private D-Bus session; resolves with {address, stop}. */
export async function startBus() {
  const bus = spawn("dbus-daemon", ["--session", "--nofork", "--print-address=1"], { stdio: ["ignore", "pipe", "ignore"] });
  const address = await new Promise((res, rej) => {
    bus.once("error", rej);
    createInterface({ input: bus.stdout }).once("line", (l) => res(l.trim()));
  });
  return { address, stop: () => bus.kill() };
}

/** The test GlobalShortcuts portal (tests/standin/src/bin/test-portal.rs) on the bus at
 *  `address`; resolves once it owns org.freedesktop.portal.Desktop with {next(pattern),
 *  activate(id), stop}. `next` waits for a line it printed ("bound ID TRIGGER", "closed"). */
export async function startPortal(address, args = []) {
  const child = spawn(join(BIN, "pixdrop-test-portal"), args, {
    env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: address },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const seen = [];
  const waiting = [];
  createInterface({ input: child.stdout }).on("line", (line) => {
    seen.push(line);
    for (const w of waiting.splice(0)) w();
  });
  const next = async (pattern, ms = 30000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = seen.findIndex((l) => pattern.test(l));
      if (i >= 0) return seen.splice(0, i + 1).pop();
      if (Date.now() > deadline) throw new Error(`the test portal never said ${pattern} (it said: ${seen.join(" | ")})`);
      await new Promise((r) => {
        waiting.push(r);
        setTimeout(r, 500);
      });
    }
  };
  await next(/^ready$/);
  return {
    next,
    activate: (id) => child.stdin.write(`activate ${id}\n`),
    stop: () => child.stdin.end("quit\n"),
  };
}

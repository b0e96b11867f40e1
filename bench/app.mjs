// Figures for the desktop app and the CLI, printed (never asserted): the CLI's uploads beside
// PicGo-Core's, cold start to first paint, idle memory beside a bare Tauri window built the same
// way, idle CPU over a minute, global shortcut → link on the clipboard for a 2560×1440
// screenshot, and the album page with 100,000 records. ONLY=cli|start|idle|shortcut|album runs one.
//
//   bash scripts/headless.sh node bench/app.mjs      (after `bash scripts/test.sh` built target/e2e
//   and `cargo build --profile e2e -p bare-window`)
import { spawn, execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, ROOT, USER_APP, cli, openApp, run, screenshotPng, startDriver, startStandIn, tempHome, wm, xclip } from "../tests/gui/harness.mjs";

const RUNS = Number(process.env.RUNS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** PSS (kB) of a process and all its descendants (the WebKit web and network processes). */
function treePss(pid) {
  const children = new Map();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch {}
  }
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, "utf8"));
      total += m ? Number(m[1]) : 0;
    } catch {}
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

/** CPU time (ms, user + system) of a process and all its descendants. */
function treeCpu(pid) {
  const tick = 1000 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  const stats = new Map();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      stats.set(Number(d), { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) * tick });
    } catch {}
  }
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    total += stats.get(p)?.cpu ?? 0;
    for (const [c, s] of stats) if (s.ppid === p) stack.push(c);
  }
  return total;
}

async function waitUntil(what, f, ms = 30000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await f();
    if (v) return v;
    await sleep(5);
  }
  throw new Error(`timed out: ${what}`);
}

/** Start `bin`, time until its window titled `title` is shown; then idle PSS after `idleMs`. */
async function startAndMeasure(bin, title, env, idleMs = 3000) {
  // The X server's MapNotify, watched by one process started beforehand: polling by spawning a
  // watcher every few ms would both round the figure up and take CPU from the start it times.
  const map = await wm.mapped(title);
  const t0 = performance.now();
  const child = spawn(bin, [], { env: { ...process.env, ...env }, stdio: "ignore" });
  const timeout = setTimeout(() => map.stop(), 30000);
  const shown = (await map.shown) - t0;
  clearTimeout(timeout);
  await sleep(idleMs);
  const pss = treePss(child.pid);
  const exited = new Promise((r) => child.once("exit", r));
  child.kill();
  await exited;
  return { shown, pss };
}

const mb = (kb) => (kb / 1024).toFixed(1) + " MB";

const only = process.env.ONLY;

// 0. The command line against PicGo-Core 3.1.0 (from npm, bench/picgo-core; installed here when
// missing), both uploading to the same loopback stand-in of S.EE/SM.MS: one random 400×300 PNG
// (a worst case for encoders), then 20 at once, timed from the process's start to the last link
// on its standard output (process start included), and to its exit. PicGo-Core speaks HTTPS to
// s.ee only; a preload (bench/picgo-core/loopback.cjs) points its requests at the stand-in, so
// neither side pays for TLS.
if (!only || only === "cli") {
  const pgDir = join(ROOT, "bench/picgo-core");
  if (!existsSync(join(pgDir, "node_modules/picgo"))) execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: pgDir, stdio: "inherit" });
  const host = await startStandIn("bench-token");
  const home = tempHome();
  const pixdrop = process.env.PIXDROP_CLI ?? (existsSync(join(ROOT, "target/release/pixdrop")) ? join(ROOT, "target/release/pixdrop") : join(BIN, "pixdrop"));
  execFileSync(pixdrop, ["--data-dir", home, "hosts", "add", "smms", "standin", "--set", "token=bench-token", "--set", `server=${host.url}`, "--set", "api=see"]);
  execFileSync(pixdrop, ["--data-dir", home, "settings", "set", "server_enabled", "off"]);
  const pgConfig = join(home, "picgo.json");
  writeFileSync(pgConfig, JSON.stringify({ picBed: { current: "smms", uploader: "smms", smms: { token: "bench-token" } }, picgoPlugins: {} }));
  const pgEnv = { ...process.env, NODE_OPTIONS: `--require ${join(pgDir, "loopback.cjs")}`, PIXDROP_BENCH_HOST: host.url };
  const node = process.execPath;
  const picgoBin = join(pgDir, "node_modules/picgo/bin/picgo");
  let n = 0;
  const pngs = (count) =>
    Array.from({ length: count }, () => {
      const f = join(home, `r${n++}.png`);
      execFileSync("convert", ["-size", "400x300", "xc:", "+noise", "Random", f]);
      return f;
    });
  /** Spawn; resolve {link, exit} ms when `links` lines starting with http were printed and when it exited. */
  const timed = (cmd, args, env, links) =>
    new Promise((res, rej) => {
      const t0 = performance.now();
      const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
      let seen = 0, link = null, out = "", err = "";
      child.stdout.on("data", (d) => {
        out += d;
        seen = out.split("\n").filter((l) => /^(!\[[^\]]*\]\()?https?:\/\//.test(l.trim())).length;
        if (link === null && seen >= links) link = performance.now() - t0;
      });
      child.stderr.on("data", (d) => (err += d));
      child.on("exit", (code) => {
        const exit = performance.now() - t0;
        if (code !== 0 || link === null) rej(new Error(`${cmd} ${args.join(" ")}: exit ${code}, ${seen}/${links} links\n${out}\n${err}`));
        else res({ link, exit });
      });
    });
  const sides = {
    Pixdrop: (files) => timed(pixdrop, ["--data-dir", home, "upload", ...files], process.env, files.length),
    "PicGo-Core 3.1.0": (files) => timed(node, [picgoBin, "-c", pgConfig, "upload", ...files], pgEnv, files.length),
  };
  for (const count of [1, 20]) {
    const got = Object.fromEntries(Object.keys(sides).map((k) => [k, { link: [], exit: [] }]));
    // Interleaved, so a busy moment of the machine falls on both sides alike.
    for (let i = 0; i < RUNS; i++) {
      for (const [name, go] of Object.entries(sides)) {
        const r = await go(pngs(count));
        got[name].link.push(r.link);
        got[name].exit.push(r.exit);
      }
    }
    const p = median(got.Pixdrop.link), q = median(got["PicGo-Core 3.1.0"].link);
    console.log(`CLI, ${count} × 400×300 random PNG, start → ${count === 1 ? "link" : "last link"} printed: Pixdrop ${p.toFixed(1)} ms (exit ${median(got.Pixdrop.exit).toFixed(1)}), PicGo-Core 3.1.0 ${q.toFixed(1)} ms (exit ${median(got["PicGo-Core 3.1.0"].exit).toFixed(1)}), ${(q / p).toFixed(1)}× [Pixdrop ${got.Pixdrop.link.map((x) => x.toFixed(0)).join(", ")}]`);
  }
  host.stop();
}

// 1–2. Cold start and idle memory, Pixdrop (server on, as by default) vs a bare window.
if (!only || only === "start") {
  const starts = [];
  const pss = [];
  const bare = [];
  const bareStarts = [];
  for (let i = 0; i < RUNS; i++) {
    const home = tempHome();
    const r = await startAndMeasure(USER_APP, "Pixdrop", { PIXDROP_HOME: home });
    starts.push(r.shown);
    pss.push(r.pss);
    const b = await startAndMeasure(join(BIN, "bare-window"), "Bare", {});
    bare.push(b.pss);
    bareStarts.push(b.shown);
  }
  console.log(`cold start to first paint (window shown by the painted UI): median ${median(starts).toFixed(0)} ms [${starts.map((x) => x.toFixed(0)).join(", ")}]; bare Tauri window shown ${median(bareStarts).toFixed(0)} ms [${bareStarts.map((x) => x.toFixed(0)).join(", ")}]`);
  console.log(`idle PSS, process tree incl. WebKit: Pixdrop ${mb(median(pss))}, bare Tauri window ${mb(median(bare))}, ratio ${(median(pss) / median(bare)).toFixed(2)}`);
}

// 2b. An idle app over a minute: CPU time used by its process tree (WebKit's processes included)
// while nothing happens, the window shown and the local server on, as by default; beside the
// bare Tauri window, the same minute.
if (!only || only === "idle") {
  const idleCpu = async (bin, title, env) => {
    const child = spawn(bin, [], { env: { ...process.env, ...env }, stdio: "ignore" });
    await waitUntil(`${title} shown`, () => wm.visible(title));
    await sleep(5000); // the start's own work (thumbnail round, server) is done
    const before = treeCpu(child.pid);
    await sleep(60000);
    const used = treeCpu(child.pid) - before;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill();
    await exited;
    return used;
  };
  const ours = await idleCpu(USER_APP, "Pixdrop", { PIXDROP_HOME: tempHome() });
  const bare = await idleCpu(join(BIN, "bare-window"), "Bare", {});
  console.log(`idle for 60 s (window shown, server on): ${ours.toFixed(0)} ms of CPU in the app's process tree (${((ours / 60000) * 100).toFixed(3)} % of one core); bare Tauri window ${bare.toFixed(0)} ms`);
}

// 3. Global shortcut → link on the clipboard, 2560×1440 screenshots, loopback host: one like a
// screen of windows and text (~100 KB PNG) and one with a photo on it (~3 MB PNG, sent by the
// clipboard owner in INCR pieces). The time is taken when the app becomes the clipboard's owner
// (XFixes), so nothing else asks xclip for the clipboard while it is sending the image.
if (!only || only === "shortcut") {
  const home = tempHome();
  const host = await startStandIn("bench-token");
  cli(home, "hosts", "add", "smms", "standin", "--set", "token=bench-token", "--set", `server=${host.url}`, "--set", "api=see");
  cli(home, "settings", "set", "server_enabled", "off");
  cli(home, "settings", "set", "notify", "off");
  const app = spawn(USER_APP, [], { env: { ...process.env, PIXDROP_HOME: home }, stdio: "ignore" });
  await waitUntil("Pixdrop shown", () => wm.visible("Pixdrop"));
  const owners = await wm.owners("CLIPBOARD");
  const kinds = {
    // Flat UI colours, text-like noise in a band, a line of text (unique per run).
    screen: (file, i) =>
      execFileSync("convert", ["-size", "2560x1440", "xc:#f6f7f9", "-fill", "#2f6feb", "-draw", "rectangle 0,0 2560,80",
        "(", "-size", "2400x600", "xc:", "+noise", "Random", "-colorspace", "gray", "-threshold", "92%", ")", "-geometry", "+80+300", "-composite",
        "-fill", "#1c2330", "-pointsize", "48", "-annotate", "+100+1200", `run ${i} ${Date.now()}`, file]),
    photo: (file) => writeFileSync(file, screenshotPng(2560, 1440, 400)),
  };
  for (const [kind, make] of Object.entries(kinds)) {
    const times = [];
    let size = 0;
    for (let i = 0; i < RUNS; i++) {
      const file = join(home, `${kind}${i}.png`);
      make(file, i);
      size = statSync(file).size;
      const taken = owners.next();
      await xclip.image(file);
      await taken; // xclip's own change of owner, seen before the clock starts
      const copied = owners.next();
      const t0 = performance.now();
      await run("xdotool", ["key", "--clearmodifiers", "ctrl+shift+u"]);
      const t1 = await copied;
      const link = await xclip.read();
      if (!link.startsWith("![clipboard-")) throw new Error(`not a link on the clipboard: ${link.slice(0, 200)}`);
      times.push(t1 - t0);
    }
    console.log(`shortcut → link on the clipboard, 2560×1440 ${kind} (${(size / 1024).toFixed(0)} KB PNG): median ${median(times).toFixed(0)} ms [${times.map((x) => x.toFixed(0)).join(", ")}]`);
  }
  await owners.stop();
  const exited = new Promise((r) => app.once("exit", r));
  app.kill();
  await exited;
  host.stop();
}

// 4. The album page with 0 and 100,000 records: first paint of the grid, scrolling, memory.
for (const count of !only || only === "album" ? [0, 100_000] : []) {
  const home = tempHome();
  execFileSync(join(ROOT, "target/release/examples/seed_album"), [home, String(count)]);
  cli(home, "settings", "set", "server_enabled", "off");
  const driver = await startDriver(home);
  const stops = [];
  const s = await openApp((f) => stops.push(f), driver, home, undefined, USER_APP);
  const pid = Number(execFileSync("pgrep", ["-n", "-f", USER_APP], { encoding: "utf8" }).trim());
  await s.waitFor("the window", async () => (await s.findAll("[data-tab=album]")).length);
  await sleep(2000);
  const before = treePss(pid);
  await s.click(await s.find("[data-tab=album]"));
  const paint = await s.waitFor("the first paint", () =>
    s.execute("const a = performance.getEntriesByName('album-open')[0], b = performance.getEntriesByName('album-first-paint')[0]; return a && b ? b.startTime - a.startTime : null"),
  );
  await sleep(2000);
  const opened = treePss(pid);
  const scrolls = [];
  for (const fraction of [0.5, 1, 0.25]) {
    scrolls.push(await s.executeAsync(`
      const done = arguments[arguments.length - 1];
      const el = document.querySelector('[data-test=album-grid]');
      const t0 = performance.now();
      el.scrollTop = (el.scrollHeight - el.clientHeight) * ${fraction};
      const top = el.scrollTop;
      (function check() {
        const tiles = [...el.querySelectorAll('[data-record]')];
        const visible = tiles.filter((t) => { const r = t.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; });
        if (${count} === 0 || (visible.length > 0 && visible.every((t) => t.dataset.record))) done(performance.now() - t0);
        else requestAnimationFrame(check);
      })();`));
  }
  await sleep(2000);
  const after = treePss(pid);
  console.log(`album with ${count} records: grid first paint ${paint.toFixed(0)} ms; scroll to 50%/100%/25% filled in ${scrolls.map((x) => x.toFixed(0)).join("/")} ms; PSS before ${mb(before)}, after open ${mb(opened)}, after scrolling ${mb(after)}`);
  if (count === 0) globalThis.emptyAfter = after;
  else console.log(`album memory over an empty album: ${mb(after - globalThis.emptyAfter)}`);
  for (const f of stops.reverse()) await f();
  await driver.stop();
  // The seeded album and its 100,000 thumbnails take ~0.5 GB: not left behind.
  rmSync(home, { recursive: true, force: true });
}

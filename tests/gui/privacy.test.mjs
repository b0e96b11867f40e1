// A phone photo dropped on the window loses its location and camera data before it is sent, and
// the row says so; with the setting off (Settings page) the next photo goes as it is.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OUT, cleanup, cli, openApp, startDriver, startStandIn, tempHome } from "./harness.mjs";

// ImageMagick's own convert (a stand-in may come first on PATH) and exiftool (scripts/test.sh
// installs both).
const photo = (path, colour) => {
  execFileSync("/usr/bin/convert", ["-size", "120x90", `xc:${colour}`, path]);
  execFileSync("exiftool", ["-q", "-overwrite_original", "-GPSLatitude=48.8584", "-GPSLatitudeRef=N", "-GPSLongitude=2.2945", "-GPSLongitudeRef=E", "-Make=Pixdrop Phone", "-Orientation#=6", path]);
};
const gpsOf = (bytes, home) => {
  const p = join(home, `probe-${Math.random()}.jpg`);
  writeFileSync(p, bytes);
  return JSON.parse(execFileSync("exiftool", ["-j", "-n", "-GPSLatitude", "-Make", "-Orientation", p], { encoding: "utf8" }))[0];
};

test("a dropped phone photo arrives without its location; the row says so", async (t) => {
  const stop = cleanup(t);
  const home = tempHome();
  const host = await startStandIn("tok-privacy");
  stop(host.stop);
  cli(home, "hosts", "add", "smms", "standin", "--set", "token=tok-privacy", "--set", `server=${host.url}`, "--set", "api=see");
  cli(home, "settings", "set", "server_enabled", "off");
  cli(home, "settings", "set", "notify", "off");
  cli(home, "settings", "set", "language", "en");
  const shot = join(home, "IMG_2041.jpg");
  photo(shot, "seagreen");
  assert.equal(gpsOf(readFileSync(shot), home).GPSLatitude, 48.8584);

  const driver = await startDriver(home, { PIXDROP_TEST_DROP: shot });
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "privacy-last.png");
  await s.executeAsync("const done = arguments[arguments.length-1]; window.__TAURI_INTERNALS__.invoke('test_drop').then(() => done(true), (e) => done(JSON.stringify(e)))");
  const said = await s.waitFor("the row to say what was removed", async () => {
    const p = await s.findAll("[data-row][data-status=done] [data-test=row-processed]");
    return p.length === 1 && s.text(p[0]);
  });
  assert.match(said, /^location and camera data removed \(EXIF, GPS\): /);
  writeFileSync(join(OUT, "privacy-row.png"), await s.screenshot());
  const url = JSON.parse(cli(home, "album", "list", "--json"))[0].url;
  const sent = Buffer.from(await (await fetch(url)).arrayBuffer());
  const tags = gpsOf(sent, home);
  assert.equal(tags.GPSLatitude, undefined);
  assert.equal(tags.Make, undefined);
  assert.equal(tags.Orientation, 6);

  // Settings: the switch off, the next photo goes whole.
  await s.click(await s.find("[data-tab=settings]"));
  await s.click(await s.find("[data-setting=strip_metadata]"));
  await s.waitFor("the setting saved", async () => cli(home, "settings", "get", "strip_metadata").trim() === "false");
  photo(shot, "tomato");
  await s.click(await s.find("[data-tab=upload]"));
  await s.executeAsync("const done = arguments[arguments.length-1]; window.__TAURI_INTERNALS__.invoke('test_drop').then(() => done(true), (e) => done(JSON.stringify(e)))");
  await s.waitFor("the second upload", async () => (await s.findAll("[data-row][data-status=done]")).length === 2);
  const newest = JSON.parse(cli(home, "album", "list", "--json"))[0];
  const whole = Buffer.from(await (await fetch(newest.url)).arrayBuffer());
  assert.deepEqual(whole, readFileSync(shot));
});

// The app in a real window (Xvfb + tauri-driver + WebKitWebDriver): it opens titled "Pixdrop"
// and shows the shared config and album that the CLI wrote.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { createServer } from "node:net";
import { join } from "node:path";
import { BIN, OUT, cleanup, cli, openApp, freePort, startDriver, startStandIn, tempHome } from "./harness.mjs";

const TOKEN = "gui-token-0123456789";

test("the window shows the shared config and album", async (t) => {
  const stops = { push: cleanup(t) };
  const home = tempHome();
  const host = await startStandIn(TOKEN);
  stops.push(host.stop);
  cli(home, "hosts", "add", "smms", "standin", "--set", `token=${TOKEN}`, "--set", `server=${host.url}`, "--set", "api=see");
  // A real PNG (1×1), uploaded through the CLI so the album has a record.
  const png = Buffer.from(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082",
    "hex",
  );
  const file = join(home, "first.png");
  writeFileSync(file, png);
  const serverPort = await freePort();
  cli(home, "settings", "set", "server_port", String(serverPort));
  cli(home, "settings", "set", "auto_copy", "off");
  const link = cli(home, "upload", "--format", "url", file).trim();
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/i\//);

  // What the import buttons' dialogs will answer (a native dialog cannot be clicked through).
  const sxcu = join(home, "shx.sxcu");
  writeFileSync(sxcu, JSON.stringify({
    Version: "16.1.0", Name: "shx", DestinationType: "ImageUploader", RequestMethod: "POST",
    RequestURL: `${host.url}/custom/text`, Headers: { "X-Api-Key": TOKEN }, Body: "MultipartFormData",
    FileFormName: "file", URL: "{response}",
  }));
  const picgoDir = join(home, "picgo");
  mkdirSync(picgoDir);
  writeFileSync(join(picgoDir, "data.json"), JSON.stringify({
    picBed: { uploader: "web-uploader", current: "web-uploader" },
    uploader: { "web-uploader": { configList: [{ url: `${host.url}/custom/nested`, paramName: "file", jsonPath: "data.links[0].url",
      customHeader: JSON.stringify({ "X-Api-Key": TOKEN }), _id: "w1", _configName: "From PicGo" }], defaultId: "w1" } },
    settings: { pasteStyle: "markdown" },
  }));
  writeFileSync(join(picgoDir, "picgo.db"), gzipSync(JSON.stringify({
    uploaded: [{ fileName: "picgo-old.png", imgUrl: "https://i.example/picgo-old.png", type: "web-uploader", id: "x1", createdAt: 1700000000000 }],
    __uploaded_KEY__: { x1: 1 },
  })));

  const driver = await startDriver(home, { PIXDROP_TEST_PICK_FILE: sxcu, PIXDROP_TEST_PICK_FOLDER: picgoDir });
  stops.push(driver.stop);
  const s = await openApp(stops.push, driver, home);

  assert.equal(await s.title(), "Pixdrop");
  // The album shows the CLI's upload.
  await s.click(await s.find("[data-tab=album]"));
  const tile = await s.waitFor("the CLI's upload in the album", async () => {
    const t = await s.execute("return document.querySelector('[data-test=album-grid]').textContent");
    return t.includes("first.png") && t;
  });
  assert.ok(tile.includes("standin"), tile);
  await s.click(await s.find("[data-tab=settings]"));
  // Wait for the overview to load (its count is a number), then check what it says.
  await s.waitFor("the overview", async () => /: \d+$/.test(await s.text(await s.find("[data-test=upload-count]"))));
  assert.match(await s.text(await s.find("[data-test=default-host]")), /: standin$/);
  assert.match(await s.text(await s.find("[data-test=upload-count]")), /: 1$/);
  // The server status settles on listening or an error; it must be listening on our port.
  const serverText = await s.waitFor("the server status to settle", async () => {
    const t = await s.text(await s.find("[data-test=server]"));
    return (/127\.0\.0\.1:\d+|not running|already used/.test(t)) && t;
  });
  assert.match(serverText, new RegExp(`127\\.0\\.0\\.1:${serverPort}`));
  writeFileSync(join(OUT, "home.png"), await s.screenshot());

  // Typora / PicGo-Core style request to the app's server: JSON list of absolute paths.
  const second = join(home, "from-typora.png");
  const other = Buffer.from(png);
  other[other.length - 13] ^= 1; // a different (still well-formed enough to sniff) image
  writeFileSync(second, other);
  const res = await fetch(`http://127.0.0.1:${serverPort}/upload`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ list: [second] }),
  });
  const answer = await res.json();
  assert.equal(res.status, 200, JSON.stringify(answer));
  assert.equal(answer.success, true, JSON.stringify(answer));
  assert.match(answer.result[0], /^http:\/\/127\.0\.0\.1:\d+\/i\//);
  assert.ok(cli(home, "album", "list").includes("from-typora.png"));

  // A web page's request (it carries an Origin) is refused and uploads nothing.
  const evil = await fetch(`http://127.0.0.1:${serverPort}/upload`, {
    method: "POST",
    headers: { "content-type": "text/plain", origin: "https://evil.example" },
    body: JSON.stringify({ list: [second] }),
  });
  assert.equal(evil.status, 403);

  // Import buttons: a ShareX uploader, then a PicGo folder; the overview follows.
  await s.click(await s.find("[data-test=import-sxcu]"));
  const sxcuReport = await s.waitFor("the .sxcu import report", async () => {
    const t = await s.text(await s.find("[data-test=import-report]"));
    return t.includes("shx") && t;
  });
  assert.match(sxcuReport, /Added the custom host “shx”/);
  await s.click(await s.find("[data-test=import-picgo]"));
  const picgoReport = await s.waitFor("the PicGo import report", async () => {
    const t = await s.text(await s.find("[data-test=import-report]"));
    return t.includes("Album") && t;
  });
  assert.match(picgoReport, /Host configs added: From PicGo \(custom\)/);
  assert.match(picgoReport, /Album: 1 record added, 0 already here/);
  await s.waitFor("the album count to include the import", async () => {
    return /: 3$/.test(await s.text(await s.find("[data-test=upload-count]")));
  });
  writeFileSync(join(OUT, "imported.png"), await s.screenshot());
  const hosts = JSON.parse(cli(home, "hosts", "list", "--json")).map((h) => h.name);
  assert.deepEqual(hosts.sort(), ["From PicGo", "shx", "standin"]);
  // The same .sxcu again: its name is taken, so nothing is added and a free name is offered.
  await s.click(await s.find("[data-test=import-sxcu]"));
  const again = await s.waitFor("the name-taken report", async () => {
    const t = await s.text(await s.find("[data-test=import-report]"));
    return t.includes("exists already") && t;
  });
  assert.match(again, /A host config named “shx” exists already; nothing was added\./);
  assert.equal(JSON.parse(cli(home, "hosts", "list", "--json")).length, 3);
  await s.click(await s.find("[data-test=import-sxcu-as]"));
  await s.waitFor("the import under the offered name", async () => (await s.text(await s.find("[data-test=import-report]"))).includes("Added the custom host “shx (sxcu)”"));
  assert.deepEqual(JSON.parse(cli(home, "hosts", "list", "--json")).map((h) => h.name).sort(), ["From PicGo", "shx", "shx (sxcu)", "standin"]);
  // The imported configs upload.
  const third = join(home, "third.png");
  const thirdBytes = Buffer.from(png);
  thirdBytes[thirdBytes.length - 13] ^= 2;
  writeFileSync(third, thirdBytes);
  assert.match(cli(home, "upload", "--host", "shx", "--format", "url", third).trim(), /^http:\/\/127\.0\.0\.1:\d+\/i\//);

  // A server port another program holds is refused before it is saved; the server keeps its port.
  const holder = createServer();
  await new Promise((r) => holder.listen(0, "127.0.0.1", r));
  const taken = holder.address().port;
  try {
    await s.click(await s.find("[data-tab=settings]"));
    await s.execute("const i = document.querySelector('[data-setting=server_port]'); i.value = arguments[0]; i.dispatchEvent(new Event('change'))", [String(taken)]);
    const said = await s.waitFor("the port problem", async () => s.text(await s.find("[data-problem=server_port]")));
    assert.equal(said, `port ${taken} is in use by another program; the server stays on port ${serverPort}`);
    assert.equal(cli(home, "settings", "get", "server_port").trim(), String(serverPort));
    const alive = await fetch(`http://127.0.0.1:${serverPort}/heartbeat`, { method: "POST" });
    assert.equal(alive.status, 200, "the server still answers on its port");
  } finally {
    holder.close();
  }
});

test("a host config made in the settings form uploads", async (t) => {
  const stops = { push: cleanup(t) };
  const home = tempHome();
  const host = await startStandIn(TOKEN);
  stops.push(host.stop);
  cli(home, "settings", "set", "server_enabled", "off");
  const badSxcu = join(home, "xml.sxcu");
  writeFileSync(badSxcu, JSON.stringify({ Name: "xml", RequestURL: "https://x.example/up", Body: "XML", URL: "{xml:/r/url}" }));
  const driver = await startDriver(home, { PIXDROP_TEST_PICK_FILE: badSxcu });
  stops.push(driver.stop);
  const s = await openApp(stops.push, driver, home);

  await s.click(await s.find("[data-tab=hosts]"));
  await s.waitFor("the hosts page", async () => (await s.text(await s.find(".hosts"))).includes("No host configs yet."));

  // A custom config with a broken URL is caught while typing; nothing is saved.
  await s.click(await s.find("[data-test=add-kind] option[value=custom]"));
  await s.click(await s.find("[data-test=host-add]"));
  await s.type(await s.find("[data-field=name]"), "broken");
  await s.type(await s.find("[data-field=url]"), "not a url");
  await s.type(await s.find("[data-field=headers]"), "{\"X-Api-Key\": ");
  await s.click(await s.find("[data-test=host-save]"));
  assert.equal(await s.text(await s.find("[data-problem=url]")), "Not a URL");
  assert.match(await s.text(await s.find("[data-problem=headers]")), /^Not valid JSON: /);
  writeFileSync(join(OUT, "host-form.png"), await s.screenshot());
  assert.deepEqual(JSON.parse(cli(home, "hosts", "list", "--json")), []);

  // An SM.MS config, filled in and saved, is the default and works from the CLI too.
  await s.click(await s.find("[data-test=add-kind] option[value=smms]"));
  await s.click(await s.find("[data-test=host-add]"));
  await s.type(await s.find("[data-field=name]"), "formed");
  await s.type(await s.find("[data-field=token]"), TOKEN);
  assert.equal(await s.execute("return document.querySelector('[data-field=token]').type"), "password");
  await s.type(await s.find("[data-field=server]"), host.url);
  await s.click(await s.find("[data-field=api] option[value=see]"));
  await s.click(await s.find("[data-test=host-save]"));
  const notice = await s.waitFor("the saved notice", async () => s.text(await s.find("[data-test=hosts-notice]")));
  assert.equal(notice, "Saved “formed”.");
  const row = await s.text(await s.find("[data-host=formed]"));
  assert.ok(row.includes("SM.MS / S.EE") && row.includes("default") && !row.includes("Set as default"), row);
  await s.click(await s.find("[data-host=formed] [data-act=test]"));
  const tested = await s.waitFor("the test result", async () => {
    const t = await s.text(await s.find("[data-test=hosts-notice]"));
    return t.startsWith("formed:") && t;
  });
  // What the host said: the token was accepted (a refused one would say so).
  assert.equal(tested, `formed: token accepted by ${host.url}`);
  writeFileSync(join(OUT, "hosts.png"), await s.screenshot());

  // The settings page imports a ShareX uploader too; a broken one is refused with its reason.
  await s.click(await s.find("[data-test=hosts-import-sxcu]"));
  const refused = await s.waitFor("the .sxcu refusal", async () => s.text(await s.find("[data-test=hosts-error]")));
  assert.match(refused, /Body XML is not supported/);
  assert.equal(JSON.parse(cli(home, "hosts", "list", "--json")).length, 1);

  const shown = JSON.parse(cli(home, "hosts", "show", "formed", "--json", "--reveal"));
  assert.deepEqual(shown.settings, { token: TOKEN, server: host.url, api: "see" });
  const file = join(home, "via-form.png");
  writeFileSync(file, Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082", "hex"));
  assert.match(cli(home, "upload", "--format", "url", file).trim(), /^http:\/\/127\.0\.0\.1:\d+\/i\//);
});

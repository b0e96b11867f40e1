// GNOME on Wayland lets only the focused window read the clipboard (no data-control protocol):
// there the window's Upload clipboard button and Ctrl+V read it through the window itself (GTK's
// clipboard). Here the app is told to behave as on such a desktop (PIXDROP_TEST_WINDOW_CLIPBOARD),
// and GTK reads the test display's clipboard: the image uploads as offered, text is refused in
// words, and the shortcut's message (no window involved) says to paste into the window.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, cli, openApp, solidPng, startDriver, startStandIn, tempHome, xclip } from "./harness.mjs";

test("the window reads the clipboard itself where only the focused window may", async (t) => {
  const stop = cleanup(t);
  const home = tempHome();
  const host = await startStandIn("tok-window");
  stop(host.stop);
  cli(home, "hosts", "add", "smms", "standin", "--set", "token=tok-window", "--set", `server=${host.url}`, "--set", "api=see");
  for (const k of [["server_enabled", "off"], ["notify", "off"], ["language", "en"]]) cli(home, "settings", "set", ...k);
  const png = join(home, "copied.png");
  writeFileSync(png, solidPng(37, 23, [240, 90, 10]));

  const driver = await startDriver(home, { PIXDROP_TEST_WINDOW_CLIPBOARD: "1" });
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "window-clipboard-last.png");
  await xclip.image(png);
  await s.click(await s.find("[data-test=upload-clipboard]"));
  await s.waitFor("the clipboard image's row", async () => (await s.findAll("[data-row][data-status=done]")).length === 1, 30000);
  const [record] = JSON.parse(cli(home, "album", "list", "--json"));
  assert.ok(record.file_name.startsWith("clipboard-"), record.file_name);
  assert.deepEqual([record.width, record.height], [37, 23]);

  await xclip.text("just text");
  await s.click(await s.find("[data-test=upload-clipboard]"));
  const noImage = await s.waitFor("the no-image message", async () => s.text(await s.find("[data-test=upload-error]")));
  assert.equal(noImage, "the clipboard holds no image (it holds text)");
});

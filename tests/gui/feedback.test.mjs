// The feedback around the jobs (issue 25): status messages that go by themselves and never
// cover a control, errors beside their fields, the pages' wording.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, cli, openApp, solidPng, startDriver, startStandIn, tempHome } from "./harness.mjs";

const TOKEN = "feedback-token-0123456789";

/** A home with the stand-in host configured; resolves with {home, host, file(name, colour)}. */
async function standInHome(stop) {
  const home = tempHome();
  const host = await startStandIn(TOKEN);
  stop(host.stop);
  cli(home, "hosts", "add", "smms", "standin", "--set", `token=${TOKEN}`, "--set", `server=${host.url}`, "--set", "api=see");
  cli(home, "settings", "set", "server_enabled", "off");
  const file = (name, colour) => {
    const p = join(home, name);
    writeFileSync(p, solidPng(40, 30, colour));
    return p;
  };
  return { home, host, file };
}

/** True when the status bar lies wholly below the page (nothing of the page under it). */
const BAR_BELOW_PAGE = `
  const bar = document.querySelector('[data-test=status-bar]').getBoundingClientRect();
  const main = document.querySelector('main').getBoundingClientRect();
  return bar.height > 0 && main.bottom <= bar.top + 0.5;`;

test("status messages go after a few seconds (errors later, or on ×) and never cover a control", async (t) => {
  const stop = cleanup(t);
  const { home, file } = await standInHome(stop);
  const a = file("alpha.png", [200, 30, 30]);
  const driver = await startDriver(home, { PIXDROP_TEST_PICK_FILES: a });
  stop(driver.stop);
  const s = await openApp(stop, driver, home, "feedback-messages.png");

  await s.click(await s.find("[data-test=choose-files]"));
  const notice = await s.waitFor("the batch notice", async () => s.text(await s.find("[data-test=batch-notice]")));
  const shown = Date.now();
  assert.equal(notice, "Uploaded — link copied.");
  assert.ok(await s.execute(BAR_BELOW_PAGE), "the message sits in the status bar, below every control");
  // The message takes clicks itself (they do not fall through to what is under it).
  assert.ok(await s.execute("const r = document.querySelector('[data-test=batch-notice]').getBoundingClientRect(); return !!document.elementFromPoint(r.left + 2, r.top + r.height / 2)?.closest('[data-test=status-bar]')"));
  await s.waitFor("the batch notice to go by itself", async () => (await s.findAll("[data-test=batch-notice]")).length === 0, 30000);
  assert.ok(Date.now() - shown >= 3000, "it stayed long enough to read");
  assert.equal(await s.execute("return document.querySelector('[data-test=status-bar]').getBoundingClientRect().height"), 0, "the empty bar takes no room");

  // An error stays longer, and goes at once on its ×.
  await s.type(await s.find("[data-test=url-input]"), "file:///etc/passwd");
  await s.click(await s.find("[data-test=url-upload]"));
  await s.waitFor("the URL refusal", async () => s.text(await s.find("[data-test=upload-error]")));
  assert.ok(await s.execute(BAR_BELOW_PAGE));
  await s.click(await s.find("[data-test=status-bar] [data-act=close-toast]"));
  await s.waitFor("the error to go on ×", async () => (await s.findAll("[data-test=upload-error]")).length === 0, 5000);

  // Left alone, an error goes too (later than a notice).
  await s.click(await s.find("[data-test=url-upload]"));
  await s.waitFor("the URL refusal again", async () => s.text(await s.find("[data-test=upload-error]")));
  const errorShown = Date.now();
  await s.waitFor("the error to go by itself", async () => (await s.findAll("[data-test=upload-error]")).length === 0, 40000);
  assert.ok(Date.now() - errorShown >= 7000, "an error stays longer than a notice");
});

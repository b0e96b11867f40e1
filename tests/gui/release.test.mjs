// The app as users run it (built without the `test-hooks` feature) has none of the hooks the
// other GUI tests drive: no `PIXDROP_TEST_*` names in the binary, and `test_drop` is no command
// even with its variable set.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { APP, USER_APP, cleanup, openApp, solidPng, startDriver, tempHome } from "./harness.mjs";

test("the users' build has no test hooks", async (t) => {
  const user = readFileSync(USER_APP);
  const tests = readFileSync(APP);
  for (const name of ["PIXDROP_TEST_PICK_FILES", "PIXDROP_TEST_PICK_FOLDER", "PIXDROP_TEST_DROP", "test_drop"]) {
    // The same check finds them in the tests' build, so it can see what it looks for.
    assert.ok(tests.includes(name), `${name} is in the tests' build`);
    assert.ok(!user.includes(name), `${name} is not in the users' build`);
  }

  const stop = cleanup(t);
  const home = tempHome();
  const dropped = join(home, "dropped.png");
  writeFileSync(dropped, solidPng(8, 8, [1, 2, 3]));
  const driver = await startDriver(home, { PIXDROP_TEST_DROP: dropped });
  stop(driver.stop);
  const s = await openApp(stop, driver, home, undefined, USER_APP);
  const answer = await s.executeAsync(
    "const done = arguments[arguments.length-1]; window.__TAURI_INTERNALS__.invoke('test_drop').then(() => done('ran'), (e) => done(String(e?.message ?? e)))",
  );
  assert.match(answer, /test_drop not found/);
  assert.equal((await s.findAll("[data-row]")).length, 0, "nothing was dropped");
});

// A small W3C WebDriver client over fetch: enough to drive the Pixdrop window through
// tauri-driver (which forwards to WebKitWebDriver on Linux).

export class WebDriverError extends Error {}

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async start(base, application, args = []) {
    const res = await request(base, "POST", "/session", {
      capabilities: { alwaysMatch: { "tauri:options": { application, args } } },
    });
    return new Session(base, res.sessionId);
  }

  /** A command; when the session is gone (the app ended under the test), the error says what
   *  `whenGone` (set by the harness) finds: the app's state and the end of its log. */
  async cmd(method, path, body) {
    try {
      return await request(this.base, method, `/session/${this.id}${path}`, body);
    } catch (e) {
      if (this.whenGone && /invalid session id/.test(e.message)) e.message += ` — ${this.whenGone()}`;
      throw e;
    }
  }

  title() {
    return this.cmd("GET", "/title");
  }

  /** The element `css` selects, waiting (bounded) for it to be there: what a click brings up
   *  (a dialog after a round trip to Rust) appears a moment later, later still on a busy machine. */
  async find(css, ms = 10000) {
    const deadline = Date.now() + ms;
    for (;;) {
      try {
        const el = await this.cmd("POST", "/element", { using: "css selector", value: css });
        return Object.values(el)[0];
      } catch (e) {
        if (!/no such element/.test(e.message) || Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  async findAll(css) {
    const els = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return els.map((e) => Object.values(e)[0]);
  }

  text(elementId) {
    return this.cmd("GET", `/element/${elementId}/text`);
  }

  /** Type `text` into an input or textarea (appends to what is there). */
  type(elementId, text) {
    return this.cmd("POST", `/element/${elementId}/value`, { text });
  }

  click(elementId) {
    return this.cmd("POST", `/element/${elementId}/click`, {});
  }

  /** Press a key with modifiers held, as a person would (W3C actions). `mods` are WebDriver
   * key codes, e.g. "\uE009" for Control. */
  async chord(mods, key) {
    const down = mods.map((m) => ({ type: "keyDown", value: m }));
    const up = mods.reverse().map((m) => ({ type: "keyUp", value: m }));
    await this.cmd("POST", "/actions", {
      actions: [{ type: "key", id: "keyboard", actions: [...down, { type: "keyDown", value: key }, { type: "keyUp", value: key }, ...up] }],
    });
    await this.cmd("DELETE", "/actions");
  }

  /** Click the element `css` selects with modifier keys held (Ctrl-click, Shift-click). */
  async clickWith(mods, css) {
    const box = await this.execute(
      "const r = document.querySelector(arguments[0]).getBoundingClientRect(); return { x: Math.round(r.left + r.width / 2), y: Math.round(r.top + r.height / 2) }",
      [css],
    );
    await this.cmd("POST", "/actions", {
      actions: [
        { type: "key", id: "keyboard", actions: [...mods.map((m) => ({ type: "keyDown", value: m })), { type: "pause" }, { type: "pause" }, { type: "pause" }, ...mods.map((m) => ({ type: "keyUp", value: m }))] },
        { type: "pointer", id: "mouse", parameters: { pointerType: "mouse" }, actions: [{ type: "pause" }, { type: "pointerMove", origin: "viewport", x: box.x, y: box.y }, { type: "pointerDown", button: 0 }, { type: "pointerUp", button: 0 }] },
      ],
    });
    await this.cmd("DELETE", "/actions");
  }

  /** Run async JavaScript in the page; `done` is the last argument the script gets. */
  executeAsync(script, args = []) {
    return this.cmd("POST", "/execute/async", { script, args });
  }

  execute(script, args = []) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  async screenshot() {
    return Buffer.from(await this.cmd("GET", "/screenshot"), "base64");
  }

  /** Poll `fn` until it returns a truthy value (an element, a text), up to `ms`. */
  async waitFor(what, fn, ms = 15000) {
    const deadline = Date.now() + ms;
    let last;
    while (Date.now() < deadline) {
      try {
        const v = await fn();
        if (v) return v;
      } catch (e) {
        last = e;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new WebDriverError(`timed out waiting for ${what}${last ? `: ${last.message}` : ""}`);
  }

  /** Close the session, which closes the app (bounded: a hung app must not hang the run). */
  end(ms = 20000) {
    return request(this.base, "DELETE", `/session/${this.id}`, undefined, AbortSignal.timeout(ms));
  }
}

async function request(base, method, path, body, signal) {
  const res = await fetch(base + path, {
    method,
    signal,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok || json.value?.error) {
    throw new WebDriverError(`${method} ${path}: ${json.value?.error ?? res.status} ${json.value?.message ?? ""}`);
  }
  return json.value;
}

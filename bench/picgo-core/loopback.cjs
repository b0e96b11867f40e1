// Preloaded into PicGo-Core by bench/app.mjs (NODE_OPTIONS=--require): its requests to
// https://s.ee go to the loopback stand-in (PIXDROP_BENCH_HOST) over plain HTTP, as Pixdrop's do.
// PicGo-Core makes each request with axios.create(); every instance gets the same rewrite.
const Module = require("node:module");
const http = require("node:http");
// PicGo-Core's own HTTPS agent does not keep connections; Node's default HTTP agent would, and
// the open connection would keep PicGo-Core from exiting.
const agent = new http.Agent({ keepAlive: false });
const target = process.env.PIXDROP_BENCH_HOST;
const load = Module._load;
Module._load = function (request, ...rest) {
  const m = load.call(this, request, ...rest);
  if (request === "axios" && target && !m.__pixdropBench) {
    m.__pixdropBench = true;
    const rewrite = (config) => {
      if (config.url?.startsWith("https://s.ee/")) {
        config.url = target + config.url.slice("https://s.ee".length);
        config.httpAgent = agent;
      }
      return config;
    };
    const create = m.create;
    m.create = function (...args) {
      const instance = create.apply(this, args);
      instance.interceptors.request.use(rewrite);
      return instance;
    };
  }
  return m;
};

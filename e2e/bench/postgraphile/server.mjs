// The Multichannel bench peer: PostGraphile 5 behind node:cluster. See README.md.
//   PORT                 port on 127.0.0.1 (default 5678)
//   PEER_DATABASE_URL    postgres://bench_peer:bench_peer@host:port/db (the restricted role)
//   PEER_JWT_SECRET      HS256 secret of the tokens (mint-jwt.mjs)
//   PEER_WORKERS         worker processes (default os.availableParallelism())
//   PEER_DB_POOL         connections in total across workers (default 16)
// Prints "postgraphile peer ready on http://127.0.0.1:<PORT>/graphql (<n> workers)" on stdout
// once every worker listens.
import cluster from "node:cluster";
// Production mode, stated (Grafast warns when it is unset).
process.env.GRAPHILE_ENV ??= "production";
import { createServer } from "node:http";
import os from "node:os";

if (Number(process.versions.node.split(".")[0]) < 22) {
  console.error(`PostGraphile 5 needs Node 22+, this is ${process.version}: run node_modules/.bin/node server.mjs`);
  process.exit(1);
}

const workers = Math.max(1, Number(process.env.PEER_WORKERS || os.availableParallelism()));
const port = Number(process.env.PORT || 5678);

if (cluster.isPrimary) {
  let listening = 0;
  let stopping = false;
  cluster.setupPrimary({ silent: false });
  for (let i = 0; i < workers; i++) {
    cluster.fork({ PEER_WORKERS_RESOLVED: String(workers) });
  }
  cluster.on("message", (_worker, msg) => {
    if (msg === "listening" && ++listening === workers) {
      console.log(`postgraphile peer ready on http://127.0.0.1:${port}/graphql (${workers} workers)`);
    }
  });
  cluster.on("exit", (worker, code, signal) => {
    if (!stopping) {
      console.error(`worker ${worker.process.pid} exited (${signal || code}); stopping`);
      shutdown(1);
    }
  });
  const shutdown = (code = 0) => {
    stopping = true;
    for (const w of Object.values(cluster.workers)) w?.process.kill("SIGTERM");
    setTimeout(() => process.exit(code), 200).unref();
  };
  process.on("SIGTERM", () => shutdown(0));
  process.on("SIGINT", () => shutdown(0));
} else {
  const { postgraphile } = await import("postgraphile");
  const { grafserv } = await import("postgraphile/grafserv/node");
  const { default: preset } = await import("./graphile.config.mjs");
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  // Build the schema before accepting requests, so "ready" means ready.
  await pgl.getSchema();
  const server = createServer();
  server.on("error", (e) => {
    console.error(e);
    process.exit(1);
  });
  await serv.addTo(server);
  server.listen(port, "127.0.0.1", () => process.send?.("listening"));
  process.on("SIGTERM", () => {
    server.close();
    pgl.release().finally(() => process.exit(0));
  });
}

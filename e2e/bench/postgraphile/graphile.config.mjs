// PostGraphile 5 configuration of the Multichannel bench peer. See README.md.
import { fileURLToPath } from "node:url";
import jwt from "jsonwebtoken";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { makePgSmartTagsFromFilePlugin } from "postgraphile/utils";

const secret = process.env.PEER_JWT_SECRET;
if (!secret) throw new Error("PEER_JWT_SECRET is required");
const connectionString = process.env.PEER_DATABASE_URL;
if (!connectionString) throw new Error("PEER_DATABASE_URL is required");

const workers = Number(process.env.PEER_WORKERS_RESOLVED || 1);
// PEER_DB_POOL is the total across all workers (default 16, our server's --db-pool default).
const poolTotal = Number(process.env.PEER_DB_POOL || 16);
const poolPerWorker = Math.max(2, Math.ceil(poolTotal / workers));

const TagsPlugin = makePgSmartTagsFromFilePlugin(
  fileURLToPath(new URL("./postgraphile.tags.json5", import.meta.url)),
);

// The claims PostgreSQL gets: only these, and only from a token that verifies.
const CLAIMS = ["org_id", "org_kind"];

function pgSettingsFromRequest(req) {
  const auth = req?.headers?.authorization;
  if (typeof auth !== "string") return {};
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  if (!m) return {};
  let claims;
  try {
    claims = jwt.verify(m[1], secret, { algorithms: ["HS256"], audience: "postgraphile" });
  } catch (e) {
    throw Object.assign(new Error("invalid token"), { statusCode: 401 });
  }
  const settings = {};
  if (typeof claims.role === "string") settings.role = claims.role;
  for (const key of CLAIMS) {
    if (claims[key] != null) settings[`jwt.claims.${key}`] = String(claims[key]);
  }
  return settings;
}

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  plugins: [TagsPlugin],
  pgServices: [
    makePgService({
      connectionString,
      schemas: ["public"],
      poolConfig: { max: poolPerWorker },
    }),
  ],
  schema: {
    // No Node interface/global ids needed by the bench queries, but keep Amber's defaults.
    exportSchemaSDLPath: process.env.PEER_EXPORT_SCHEMA || undefined,
  },
  grafserv: {
    host: "127.0.0.1",
    port: Number(process.env.PORT || 5678),
    graphqlPath: "/graphql",
    graphiql: false,
    graphqlOverGET: false,
    watch: false,
    websockets: false,
  },
  grafast: {
    explain: false,
    context(requestContext) {
      const req = requestContext.node?.req;
      return { pgSettings: pgSettingsFromRequest(req) };
    },
  },
};

export default preset;

// Prints a token for the bench peer: node mint-jwt.mjs <org_id> <OPERATOR|PARTNER|CUSTOMER>
// Signed HS256 with PEER_JWT_SECRET; role bench_peer_visitor; audience postgraphile; valid 30 days.
import jwt from "jsonwebtoken";

const [orgId, orgKind] = process.argv.slice(2);
const secret = process.env.PEER_JWT_SECRET;
if (!secret || !orgId || !["OPERATOR", "PARTNER", "CUSTOMER"].includes(orgKind)) {
  console.error("usage: PEER_JWT_SECRET=... node mint-jwt.mjs <org_id> <OPERATOR|PARTNER|CUSTOMER>");
  process.exit(2);
}
if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(orgId)) {
  console.error(`not a uuid: ${orgId}`);
  process.exit(2);
}
process.stdout.write(
  jwt.sign({ role: "bench_peer_visitor", org_id: orgId, org_kind: orgKind }, secret, {
    algorithm: "HS256",
    audience: "postgraphile",
    expiresIn: "30d",
  }) + "\n",
);

//! GraphiQL, served entirely from this server: its scripts and styles come from our own
//! `/vendor/graphiql/` (fetched from npm at build time), since many partners cannot reach
//! public CDNs. The signed-in SPA's token, if any, is put in the Authorization header.
//! Subscriptions (the `Live` root) go over WebSocket with graphql-ws, authenticated with the
//! token from the Headers tab (sent in `connection_init`, as the server expects).

use poem::handler;
use poem::web::Html;

const PAGE: &str = r##"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Multichannel GraphiQL</title>
  <link rel="icon" href="/favicon.ico">
  <link rel="stylesheet" href="/vendor/graphiql/graphiql.min.css">
  <style>
    html, body { height: 100%; margin: 0; }
    body { display: flex; flex-direction: column; }
    nav.back { display: flex; gap: 1rem; align-items: center; padding: .4rem 1rem; font: 14px system-ui, sans-serif; border-bottom: 1px solid #d9dee5; }
    nav.back a { color: #0b5cad; font-weight: 600; text-decoration: none; }
    #graphiql { flex: 1; min-height: 0; }
  </style>
</head>
<body>
  <nav class="back" aria-label="Multichannel">
    <a href="/">← Back to Multichannel</a>
    <span>GraphiQL: explore the API your token can see</span>
  </nav>
  <div id="graphiql" role="main">Loading GraphiQL…</div>
  <script src="/vendor/graphiql/react.production.min.js"></script>
  <script src="/vendor/graphiql/react-dom.production.min.js"></script>
  <script src="/vendor/graphiql/graphiql.min.js"></script>
  <script src="/vendor/graphiql/graphql-ws.min.js"></script>
  <script>
    (function () {
      var token = null;
      try { token = JSON.parse(localStorage.getItem("multichannel.session") || "null"); } catch (e) {}
      var headers = token && token.token ? { Authorization: "Bearer " + token.token } : { Authorization: "Bearer <paste a token here>" };
      var http = GraphiQL.createFetcher({ url: "/graphql" });
      var wsUrl = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/graphql";
      var clients = {};
      // One WebSocket per token; the token is sent in connection_init.
      function live(auth) {
        var t = String(auth || "").replace(/^Bearer\s+/i, "").trim();
        if (!clients[t]) {
          clients[t] = graphqlWs.createClient({ url: wsUrl, lazy: true, connectionParams: { token: t } });
        }
        return clients[t];
      }
      function isSubscription(params) {
        var q = String(params.query || "").replace(/#.*$/gm, "");
        var name = params.operationName;
        if (name) return new RegExp("\\bsubscription\\s+" + name + "\\b").test(q);
        return /^\s*subscription\b/.test(q);
      }
      function fetcher(params, opts) {
        if (!isSubscription(params)) return http(params, opts);
        var headers = (opts && opts.headers) || {};
        return live(headers.Authorization || headers.authorization).iterate({
          query: params.query, variables: params.variables, operationName: params.operationName
        });
      }
      var query = "# Multichannel API. Put a session or API token in the Headers tab, then run:\n" +
        "query MyBook {\n  viewer { user { email } organization { name kind } roles }\n" +
        "  subscriptions(first: 10) {\n    totalCount\n    edges { node { friendlyName purchaseChannel status\n" +
        "      partnerOfRecord { name }\n      servicePartners { stage servedByOperator partner { name } }\n" +
        "      viewerCan { changeQuantity { allowed reasonCode } } } }\n  }\n}\n";
      ReactDOM.createRoot(document.getElementById("graphiql")).render(
        React.createElement(GraphiQL, {
          fetcher: fetcher,
          defaultQuery: query,
          defaultHeaders: JSON.stringify(headers, null, 2),
          defaultEditorToolsVisibility: "headers",
          isHeadersEditorEnabled: true,
          shouldPersistHeaders: false
        })
      );
    })();
  </script>
</body>
</html>
"##;

#[handler]
pub async fn page() -> Html<&'static str> {
    Html(PAGE)
}

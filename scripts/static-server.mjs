// A small static file server for the browser demo and the browser test suite:
// GET/HEAD only, bound to 127.0.0.1, correct MIME types (module scripts and
// .wasm need them), no directory listings, nothing outside the served roots.
import { createServer } from "node:http";
import { createReadStream, statSync } from "node:fs";
import { extname, join, normalize, resolve, sep } from "node:path";

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".bin": "application/octet-stream",
};

function fileFor(roots, urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath.split("?")[0]);
  } catch {
    return null;
  }
  if (path.endsWith("/")) path += "index.html";
  for (const root of roots) {
    const base = resolve(root);
    const file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) return null;
    try {
      const st = statSync(file);
      if (st.isFile()) return { file, size: st.size };
      if (st.isDirectory()) {
        const index = join(file, "index.html");
        if (statSync(index).isFile()) return { file: index, size: statSync(index).size };
      }
    } catch {
      // not under this root: try the next
    }
  }
  return null;
}

/**
 * Serves `roots` (searched in order) on http://host:port. Resolves to
 * `{ url, port, close() }`; port 0 picks a free port.
 * `headers` are added to every response (e.g. a Content-Security-Policy).
 */
export function serveStatic(roots, { host = "127.0.0.1", port = 0, headers = {} } = {}) {
  const list = Array.isArray(roots) ? roots : [roots];
  const server = createServer((req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD" }).end();
      return;
    }
    const found = fileFor(list, req.url ?? "/");
    if (!found) {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8", ...headers }).end(`not found: ${req.url}`);
      return;
    }
    res.writeHead(200, {
      "Content-Type": MIME[extname(found.file).toLowerCase()] ?? "application/octet-stream",
      "Content-Length": found.size,
      "Cache-Control": "no-cache",
      ...headers,
    });
    if (req.method === "HEAD") res.end();
    else createReadStream(found.file).pipe(res);
  });
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolvePromise({
        url: `http://${host}:${address.port}/`,
        port: address.port,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
        server,
      });
    });
  });
}

// DEVELOPMENT ONLY — serves the console preview (frame + compiled bundles) and proxies the backends it talks to.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildPreview, DEFAULT_OUT_DIR, PREVIEW_DIR } from './build.ts';

export interface PreviewOptions {
  /** Port to listen on (0 = any free port). */
  port?: number;
  host?: string;
  /** Salesforce emulator (or a test fake): receives /_preview/* and /cometd/*. */
  backendUrl?: string;
  /** Teams simulator control API: receives /_sim/*. */
  simulatorUrl?: string;
  /** Where buildPreview() wrote the bundle. */
  distDir?: string;
}

export interface PreviewServer {
  url: string;
  stop(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2'
};

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Serves a file below `dir`, refusing paths that climb out of it. */
function serveFile(res: ServerResponse, dir: string, relativePath: string): boolean {
  const file = normalize(join(dir, relativePath));
  if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) return false;
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Cache-Control': 'no-store'
  });
  createReadStream(file).pipe(res);
  return true;
}

/** Streams the request to `target` unchanged (CometD long polls stay open as long as the backend holds them). */
function proxy(req: IncomingMessage, res: ServerResponse, target: string | undefined, what: string) {
  if (!target) {
    sendJson(res, 502, { message: `The preview was started without a ${what} URL` });
    return;
  }
  const url = new URL(req.url ?? '/', target);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const upstream = send(
    url,
    {
      method: req.method,
      headers: { ...req.headers, host: url.host },
      // The emulators use self-signed certificates on loopback; this proxy never leaves the machine.
      rejectUnauthorized: false
    },
    (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
      upstreamRes.pipe(res);
    }
  );
  upstream.on('error', (error) => {
    if (!res.headersSent) sendJson(res, 502, { message: `${what} unreachable: ${error.message}` });
    else res.destroy();
  });
  req.pipe(upstream);
}

export async function startPreview(options: PreviewOptions = {}): Promise<PreviewServer> {
  const distDir = options.distDir ?? DEFAULT_OUT_DIR;
  const frameDir = join(PREVIEW_DIR, 'frame');
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://preview').pathname);
    if (path.startsWith('/_preview/') || path.startsWith('/cometd/'))
      return proxy(req, res, options.backendUrl, 'backend');
    if (path.startsWith('/_sim/')) return proxy(req, res, options.simulatorUrl, 'Teams simulator');
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { message: 'Method not allowed' });
    if (path === '/' || path === '/index.html') {
      if (serveFile(res, frameDir, 'index.html')) return;
    } else if (path.startsWith('/frame/')) {
      if (serveFile(res, frameDir, path.slice('/frame/'.length))) return;
    } else if (path.startsWith('/dist/')) {
      if (serveFile(res, distDir, path.slice('/dist/'.length))) return;
    } else if (path.startsWith('/assets/')) {
      if (serveFile(res, join(distDir, 'assets'), path.slice('/assets/'.length))) return;
    } else if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    sendJson(res, 404, { message: `Not found: ${path}` });
  });
  await new Promise<void>((resolveListen) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolveListen)
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      })
  };
}

/**
 * `node --import tsx devstack/preview/server.ts [--port 5173] [--backend URL] [--sim URL] [--no-build]`: builds the
 * bundle, then serves the preview until interrupted.
 */
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '5173' },
      backend: { type: 'string' },
      sim: { type: 'string' },
      'no-build': { type: 'boolean', default: false }
    }
  });
  if (!values['no-build']) {
    const result = await buildPreview();
    for (const warning of result.warnings) console.warn(`warning: ${warning}`);
  }
  const preview = await startPreview({
    port: Number(values.port),
    backendUrl: values.backend,
    simulatorUrl: values.sim
  });
  console.log(
    `console preview: ${preview.url} (backend ${values.backend ?? 'none'}, Teams simulator ${values.sim ?? 'none'})`
  );
  process.once('SIGINT', () => void preview.stop().then(() => process.exit(0)));
}

/**
 * The `handover viz` HTTP server (node:http, no framework): loopback only.
 *
 * - It listens on a loopback address only (`checkHost` refuses any other), and answers 403 and closes the connection
 *   for any request whose socket's local address is not a loopback address (`isLoopbackAddress`), or whose Host
 *   header names anything but a loopback address or `localhost` (a page on another site cannot rebind a name to
 *   127.0.0.1 and read the answers).
 * - It starts listening at once and computes its data in the background (data.ts); `/api/status` says where it is
 *   and the page waits for it.
 * - Static assets are the files of src/viz/assets (hand-written ES modules, no build step, nothing from a CDN).
 * - The JSON API: `/api/overview`, `/api/chart?machine=&collapsed=`, `/api/trace?id=`, `/api/step?id=&i=`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VizData } from './data.ts';

const ASSETS = join(dirname(fileURLToPath(import.meta.url)), 'assets');
const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/assets/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/assets/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

/** 127.0.0.0/8 (also as an IPv4-mapped IPv6 address) or ::1. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const a = address.toLowerCase();
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice(7) : a;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v4);
  return m !== null && Number(m[1]) === 127 && m.slice(2).every((x) => Number(x) <= 255);
}

/** The address to listen on for `--host` (a loopback address or `localhost`), or an error saying why not. */
export function checkHost(host: string): { ok: true; address: string } | { ok: false; message: string } {
  const h = host.trim();
  if (h === 'localhost') return { ok: true, address: '127.0.0.1' };
  const bare = h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
  if (isLoopbackAddress(bare)) return { ok: true, address: bare };
  return { ok: false, message: `--host ${host}: handover viz serves on a loopback address only (127.0.0.1, ::1 or localhost); it refuses any other` };
}

/** Whether a Host header names a loopback address or localhost (any port). */
function hostHeaderOk(header: string | undefined): boolean {
  if (header === undefined) return true; // HTTP/1.0 clients send none; the socket check still applies
  const h = header.trim().toLowerCase();
  const name = h.startsWith('[') ? h.slice(1, h.indexOf(']')) : h.replace(/:\d+$/, '');
  return name === 'localhost' || isLoopbackAddress(name);
}

/** Where the data is. */
export interface VizState {
  state: 'computing' | 'ready' | 'error';
  log: string[];
  error?: string;
  data?: VizData;
}

/** A trace's summary as sent (a 2,000-step summary is half a megabyte: serialised once). */
const summaryText = new WeakMap<object, string>();

const jsonText = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x));

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, v: unknown): void {
  send(res, status, 'application/json; charset=utf-8', jsonText(v));
}

/** Refuses a request that is not to and for a loopback address: 403, connection closed. Returns true when refused. */
export function refuseNonLoopback(req: IncomingMessage, res: ServerResponse): boolean {
  if (isLoopbackAddress(req.socket.localAddress) && hostHeaderOk(req.headers.host)) return false;
  res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
  res.end('handover viz serves loopback only\n');
  res.once('finish', () => req.socket.destroy());
  return true;
}

/** The request handler (exported so that a test can put it behind a socket that is not on loopback). */
export function vizHandler(state: VizState): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (refuseNonLoopback(req, res)) return;
    handle(state, req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: (err as Error).stack ?? String(err) });
      else res.end();
    });
  };
}

async function handle(state: VizState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'GET only\n');
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const asset = STATIC[url.pathname];
  if (asset) return send(res, 200, asset.type, readFileSync(join(ASSETS, asset.file)));
  if (url.pathname === '/favicon.ico') return send(res, 204, 'image/x-icon', '');
  if (url.pathname === '/api/status') return sendJson(res, 200, { state: state.state, log: state.log.slice(-20), ...(state.error ? { error: state.error } : {}) });
  if (!url.pathname.startsWith('/api/')) return send(res, 404, 'text/plain', 'not found\n');
  const data = state.data;
  if (!data) return sendJson(res, 503, { state: state.state, error: state.error ?? 'still computing' });
  const q = url.searchParams;
  switch (url.pathname) {
    case '/api/overview':
      return sendJson(res, 200, data.overview());
    case '/api/chart': {
      const id = q.get('machine') ?? '';
      const m = data.machines.get(id);
      const collapsed = (q.get('collapsed') ?? '').split(',').filter((s) => s !== '');
      const layout = data.layout(id, collapsed);
      if (!m || !layout) return sendJson(res, 404, { error: `no machine ${id}` });
      const { chart, ...coverage } = m;
      return sendJson(res, 200, { chart, layout: await layout, coverage, rules: data.rules });
    }
    case '/api/trace': {
      const t = await data.trace(q.get('id') ?? '');
      if (!t) return sendJson(res, 404, { error: `no trace ${q.get('id')}` });
      let text = summaryText.get(t);
      if (text === undefined) summaryText.set(t, (text = jsonText(t.summary)));
      return send(res, 200, 'application/json; charset=utf-8', text);
    }
    case '/api/step': {
      const t = await data.trace(q.get('id') ?? '');
      if (!t) return sendJson(res, 404, { error: `no trace ${q.get('id')}` });
      const d = t.detail(Number(q.get('i')));
      if (!d) return sendJson(res, 404, { error: `no step ${q.get('i')}` });
      return sendJson(res, 200, d);
    }
    default:
      return sendJson(res, 404, { error: 'not found' });
  }
}

/** Listens on `address:port` (0: any free port); resolves with the server and the port it got. */
export function listen(handler: (req: IncomingMessage, res: ServerResponse) => void, address: string, port: number): Promise<{ server: Server; port: number }> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer(handler);
    server.once('error', reject);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.off('error', reject);
      const a = server.address();
      resolvePromise({ server, port: typeof a === 'object' && a ? a.port : port });
    });
  });
}

/** `http://127.0.0.1:7300/`, `http://[::1]:7300/`. */
export function urlOf(address: string, port: number): string {
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}/`;
}

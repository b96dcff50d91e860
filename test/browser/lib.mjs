/**
 * What the browser scripts share: building the harness, serving it (and the live panel frames) on 127.0.0.1,
 * starting the plugin's frames server (test/host/cmd/panelframes) and Debian's Chromium through playwright-core,
 * opening a scene, and the small check / expect helpers.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..', '..');
const DIST = path.join(HERE, 'dist');
const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Builds the harness page into test/browser/dist (test/browser/webpack.config.ts). */
export function build() {
  const r = spawnSync('npx', ['webpack', '-c', 'test/browser/webpack.config.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    process.stdout.write(r.stdout + r.stderr);
    throw new Error('harness build failed');
  }
  copyFileSync(path.join(HERE, 'harness', 'index.html'), path.join(DIST, 'index.html'));
}

/**
 * Serves the harness on 127.0.0.1 (any path but a file answers the page: drill-downs push other paths), and
 * /api/* from the frames server at `api` (a URL) when given.
 */
export function serve(api) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.svg': 'image/svg+xml', '.css': 'text/css' };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (api && url.pathname.startsWith('/api/')) {
      http
        .get(new URL(url.pathname, api), (upstream) => {
          res.writeHead(upstream.statusCode ?? 502, upstream.headers);
          upstream.pipe(res);
        })
        .on('error', (e) => res.writeHead(502).end(String(e)));
      return;
    }
    let file = path.join(DIST, path.normalize(url.pathname).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(DIST) || !existsSync(file) || url.pathname === '/') {
      file = path.join(DIST, 'index.html');
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * Builds and starts test/host/cmd/panelframes: the built plugin in `dist` started through the Grafana-faithful
 * host, every provisioned panel's request answered. `store` and `now` as its flags (no store: it generates the
 * demo store with the fixed dates). Resolves to { url, panels, stop } once it listens; its log goes to stderr.
 */
export async function startPanelFrames({ dist, store, now }) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'mm-panelframes-'));
  const bin = path.join(tmp, 'panelframes');
  const built = spawnSync('go', ['build', '-o', bin, './test/host/cmd/panelframes'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) {
    throw new Error('go build ./test/host/cmd/panelframes failed');
  }
  const args = ['-dist', dist, '-repo', ROOT, ...(store ? ['-store', store] : []), ...(now ? ['-now', now] : [])];
  const child = spawn(bin, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const stop = () => {
    child.kill('SIGTERM');
    rmSync(tmp, { recursive: true, force: true });
  };
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) {
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`panelframes exited (${code}) before listening`)));
  }).catch((e) => {
    stop();
    throw e;
  });
  const panels = await (await fetch(`${url}/api/panels`)).json();
  return { url, panels, stop };
}

/**
 * The live frames server: one already running at PANELFRAMES_URL (to iterate on the panels without querying the
 * plugin again), else panelframes started with `options` (startPanelFrames); undefined without either.
 */
export async function liveFrames(options) {
  const url = process.env.PANELFRAMES_URL;
  if (url) {
    return { url, panels: await (await fetch(`${url}/api/panels`)).json(), stop: () => {} };
  }
  return options ? startPanelFrames(options) : undefined;
}

/** The /api/ds/query body of a live panel, from the frames server. */
export async function panelResponse(url, panel) {
  return (await fetch(`${url}/api/panels/${panel.dashboard}/${panel.index}`)).json();
}

/** Starts Chromium with a throw-away profile; nothing may leave the machine. Resolves to { context, page, close }. */
export async function launch() {
  if (!existsSync(EXECUTABLE)) {
    throw new Error(`Chromium not found at ${EXECUTABLE}: apt-get install -y chromium (or set CHROMIUM)`);
  }
  const profile = mkdtempSync(path.join(os.tmpdir(), 'mm-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: EXECUTABLE,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  await context.route(/^(?!http:\/\/127\.0\.0\.1)/, (route) => route.abort());
  const page = context.pages()[0] ?? (await context.newPage());
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, close };
}

/** Opens a harness scene (?scene=…&theme=…&extra) and waits until it has rendered. */
export async function open(page, base, scene, theme, extra = '') {
  await page.goto(`${base}/?scene=${scene}&theme=${theme}${extra}`);
  await page.waitForFunction(() => window.__mmReady === true);
  await page.locator(`main[data-theme="${theme}"]`).waitFor();
  if (scene === 'live' || scene === 'fleet') {
    await page.waitForFunction(() => typeof window.__mmRenderMs === 'number', null, { timeout: 60_000 });
  } else {
    // let lazy pick-lists (editors) settle
    await page.waitForTimeout(300);
  }
}

export function expect(cond, message) {
  if (!cond) {
    throw new Error(message);
  }
}

export async function expectText(locator, text) {
  const content = (await locator.innerText()).replace(/\s+/g, ' ');
  expect(content.includes(text), `expected "${text}" in: ${content.slice(0, 400)}`);
}

/** Columns of an SDK frame JSON by field name. */
export function column(frame, name) {
  const i = frame.schema.fields.findIndex((f) => f.name === name);
  return i < 0 ? [] : frame.data.values[i];
}

/** Every frame of a /api/ds/query body. */
export function framesOf(body) {
  return Object.values(body.results).flatMap((r) => r.frames ?? []);
}

/** The panels' number formats (src/shared/format.ts), written out again to check them independently. */
export function formatScore(v, decimals = 4) {
  if (v === null || v === undefined || !Number.isFinite(v)) {
    return '–';
  }
  if (v !== 0 && Math.abs(v) < 10 ** -decimals) {
    return v.toExponential(1);
  }
  return String(Number(v.toFixed(decimals)));
}
export const formatCount = (n) => Math.round(n).toLocaleString('en-US');
export const formatPercent = (f) => `${(f * 100).toFixed(2)}%`;

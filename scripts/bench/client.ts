/**
 * `npm run bench -- client [--seconds N] [--slice S] [--renderer canvas|webgl] [--screenshot file.png] [--profile DIR]`:
 * builds the client and opens two pages in one headless chromium: its bench mode (`?bench=1`: the round
 * scene, 9 nodes, 300 labelled messages in flight) and a bare baseline (`?bench=baseline`: a plain 2D
 * canvas of the same size drawing the same nodes, labels and moving dots from the same views). They
 * run in turns of S seconds (baseline, client, baseline, client, ...), the other one paused, until
 * each has run N seconds; a burst of CPU steal or a neighbour's load then hits both alike. Frame
 * intervals come from requestAnimationFrame and performance.now(); cpuMsPerFrame is the browser's CPU
 * time (all its processes, from /proc) per frame shown. Then each page draws frames back to back, in
 * turns again, each rasterized before the next: drawP50Ms and drawCpuMs are the work of one frame
 * without the wait for it, the figure a loaded machine disturbs least. The last stdout line is one
 * JSON object: the client's figures, the baseline's, their ratios (goals: p95Ratio <= 1.1 and
 * over33PointsAbove <= 1), and the machine's CPU steal over the whole measurement.
 * With --profile, each page's CPU profile of its requestAnimationFrame slices is written into DIR.
 */
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import { compareFrames, descendantsCpuSeconds, frameFigures, percentile, ratio, readCpuTimes, round2, stealPercent } from './paired';

export { percentile };

const ROOT = resolve(import.meta.dirname, '..', '..');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Gzip size of the JS the page loads before any dynamic import: the entry script and its preloads. */
export function initialJsGzipBytes(dir: string): number {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const files = new Set<string>();
  for (const m of html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)) files.add(m[1]!);
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) files.add(m[1]!);
  let total = 0;
  for (const file of files) total += gzipSync(readFileSync(join(dir, file.replace(/^\//, '')))).length;
  return total;
}

function serve(dir: string): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]!)).replace(/^(\.\.[/\\])+/, '');
    let file = join(dir, path);
    if (!file.startsWith(dir) || !existsSync(file) || statSync(file).isDirectory()) file = join(dir, 'index.html');
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      done({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
    }),
  );
}

/** Frames each page draws back to back per turn: four views' worth at 60 frames a second. */
const DRAWN_PER_SLICE = 60;

type Measured = { intervals: number[]; heapBytes: number | null; messages: number };

/** Calls the page's `window.quorumBench` (see client/src/benchFeed.ts). */
function bench<T>(page: Page, call: 'start' | 'stop' | 'size' | 'renderer'): Promise<T> {
  return page.evaluate((name) => {
    const b = (window as unknown as { quorumBench: Record<string, unknown> }).quorumBench;
    const member = b[name];
    return (typeof member === 'function' ? (member as () => unknown).call(b) : member) as never;
  }, call);
}

async function openBenchPage(browser: import('playwright-core').Browser, url: string, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { quorumBench?: { ready(): boolean } }).quorumBench?.ready() === true, undefined, { timeout: 60_000 });
  return page;
}

/** Starts a V8 CPU profile of a page; the returned function stops it and writes it to `file`. */
async function profile(page: Page, file: string): Promise<() => Promise<void>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
  await cdp.send('Profiler.start');
  return async () => {
    const { profile: data } = await cdp.send('Profiler.stop');
    writeFileSync(file, JSON.stringify(data));
    process.stderr.write(`profile written to ${file}\n`);
  };
}

export async function run(args: string[]): Promise<void> {
  const seconds = Number(option(args, 'seconds') ?? 10);
  const slice = Number(option(args, 'slice') ?? 1);
  if (!(seconds > 0) || !(slice > 0)) throw new Error('--seconds and --slice need positive numbers');
  const forced = option(args, 'renderer');
  const profileDir = option(args, 'profile');
  const dir = mkdtempSync(join(tmpdir(), 'quorum-bench-client-'));
  process.stderr.write('building the client...\n');
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir: dir, emptyOutDir: true, chunkSizeWarningLimit: 2000 } });
  const gzipBytes = initialJsGzipBytes(dir);
  const server = await serve(dir);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const errors: string[] = [];
    const client = await openBenchPage(browser, `${server.url}/?bench=1${forced ? `&renderer=${forced}` : ''}`, errors);
    const { width, height } = await bench<{ width: number; height: number }>(client, 'size');
    const baseline = await openBenchPage(browser, `${server.url}/?bench=baseline&width=${width}&height=${height}`, errors);
    // Warm up each alone (the pool fills, textures and code settle), then stop both.
    await bench(baseline, 'stop');
    await client.waitForTimeout(2000);
    await bench(client, 'stop');
    await bench(baseline, 'start');
    await baseline.waitForTimeout(1000);
    await bench(baseline, 'stop');

    const slices = Math.max(1, Math.round(seconds / slice));
    process.stderr.write(`measuring ${slices} slices of ${slice} s each, baseline and client in turns...\n`);
    const stopProfiles = profileDir
      ? (mkdirSync(profileDir, { recursive: true }), await Promise.all([profile(client, join(profileDir, 'client.cpuprofile')), profile(baseline, join(profileDir, 'baseline.cpuprofile'))]))
      : [];
    const runs = { client: [] as number[], baseline: [] as number[] };
    const cpuSeconds = { client: 0, baseline: 0 };
    let last: { client: Measured | null; baseline: Measured | null } = { client: null, baseline: null };
    const cpuBefore = readCpuTimes();
    for (let i = 0; i < slices; i++) {
      for (const [name, page] of [['baseline', baseline], ['client', client]] as const) {
        const before = descendantsCpuSeconds();
        await bench(page, 'start');
        await page.waitForTimeout(slice * 1000);
        const measured = await bench<Measured>(page, 'stop');
        cpuSeconds[name] += descendantsCpuSeconds() - before;
        runs[name].push(...measured.intervals);
        last = { ...last, [name]: measured };
      }
    }
    for (const stop of stopProfiles) await stop();
    // The work of a frame: frames drawn back to back, each rasterized, in turns again. Its CPU time
    // is the figure a loaded machine disturbs least.
    const drawn = { client: [] as number[], baseline: [] as number[] };
    const drawCpu = { client: 0, baseline: 0 };
    for (let i = 0; i < slices; i++) {
      for (const [name, page] of [['baseline', baseline], ['client', client]] as const) {
        const before = descendantsCpuSeconds();
        drawn[name].push(...(await page.evaluate((count) => (window as unknown as { quorumBench: { drawFrames(n: number): number[] } }).quorumBench.drawFrames(count), DRAWN_PER_SLICE)));
        drawCpu[name] += descendantsCpuSeconds() - before;
      }
    }
    const steal = stealPercent(cpuBefore, readCpuTimes());

    const screenshot = option(args, 'screenshot');
    if (screenshot) {
      for (const [page, file] of [[client, screenshot], [baseline, screenshot.replace(/(\.png)?$/, '-baseline.png')]] as const) {
        await bench(page, 'start');
        await page.waitForTimeout(500);
        await page.screenshot({ path: file });
        await bench(page, 'stop');
      }
    }
    if (errors.length > 0) process.stderr.write(`page errors: ${errors.join('; ')}\n`);
    const figures = (name: 'client' | 'baseline') => ({
      ...frameFigures(runs[name]),
      cpuMsPerFrame: round2((1000 * cpuSeconds[name]) / Math.max(1, runs[name].length)),
      drawP50Ms: round2(percentile(drawn[name].slice().sort((a, b) => a - b), 50)),
      drawCpuMs: round2((1000 * drawCpu[name]) / Math.max(1, drawn[name].length)),
    });
    const mine = figures('client');
    const floor = figures('baseline');
    process.stderr.write(`${mine.frames} client frames, ${floor.frames} baseline frames, ${last.client?.messages ?? 0} messages in flight\n`);
    const line = {
      renderer: await bench<string>(client, 'renderer'),
      messages: last.client?.messages ?? 0,
      ...mine,
      heapMb: round2((last.client?.heapBytes ?? NaN) / 1024 / 1024),
      initialJsGzipBytes: gzipBytes,
      baseline: { ...floor, messages: last.baseline?.messages ?? 0 },
      ...compareFrames(mine, floor),
      cpuRatio: ratio(mine.cpuMsPerFrame, floor.cpuMsPerFrame),
      drawCpuRatio: ratio(mine.drawCpuMs, floor.drawCpuMs),
      slices,
      sliceSeconds: slice,
      stealPercent: steal,
      errors: errors.length,
    };
    console.log(JSON.stringify(line));
  } finally {
    await browser.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `npm run bench -- client [--seconds N] [--renderer canvas|webgl] [--screenshot file.png]`: builds the client, opens its
 * bench mode (`?bench=1`: 9 nodes, 300 labelled messages in flight) in headless chromium, and measures
 * frame intervals with performance.now() in requestAnimationFrame. Last line: one JSON object with
 * renderer, frameP50Ms, frameP95Ms, framesOver33Ms, heapMb and initialJsGzipBytes.
 */
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
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

export async function run(args: string[]): Promise<void> {
  const seconds = Number(option(args, 'seconds') ?? 10);
  const forced = option(args, 'renderer');
  const dir = mkdtempSync(join(tmpdir(), 'quorum-bench-client-'));
  process.stderr.write('building the client...\n');
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir: dir, emptyOutDir: true, chunkSizeWarningLimit: 2000 } });
  const gzipBytes = initialJsGzipBytes(dir);
  const server = await serve(dir);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/?bench=1${forced ? `&renderer=${forced}` : ''}`);
    await page.waitForFunction(() => (window as unknown as { quorumBench?: { ready(): boolean } }).quorumBench?.ready() === true, undefined, { timeout: 60_000 });
    // Let the pool fill and the first textures settle before measuring.
    await page.waitForTimeout(2000);
    process.stderr.write(`measuring ${seconds} s of frames...\n`);
    await page.evaluate(() => (window as unknown as { quorumBench: { start(): void } }).quorumBench.start());
    await page.waitForTimeout(seconds * 1000);
    const result = await page.evaluate(() => {
      const b = (window as unknown as { quorumBench: { renderer: string; stop(): { intervals: number[]; heapBytes: number | null; messages: number } } }).quorumBench;
      return { renderer: b.renderer, ...b.stop() };
    });
    const screenshot = option(args, 'screenshot');
    if (screenshot) await page.screenshot({ path: screenshot });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    const heap = result.heapBytes ?? metrics.metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
    if (errors.length > 0) process.stderr.write(`page errors: ${errors.join('; ')}\n`);
    const sorted = result.intervals.slice().sort((a, b) => a - b);
    const round = (x: number) => Math.round(x * 100) / 100;
    process.stderr.write(`${result.intervals.length} frames, ${result.messages} messages in flight\n`);
    const line = {
      renderer: result.renderer,
      frames: result.intervals.length,
      messages: result.messages,
      frameP50Ms: round(percentile(sorted, 50)),
      frameP95Ms: round(percentile(sorted, 95)),
      framesOver33Ms: result.intervals.filter((x) => x > 33).length,
      heapMb: round(heap / 1024 / 1024),
      initialJsGzipBytes: gzipBytes,
    };
    console.log(JSON.stringify(line));
  } finally {
    await browser.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

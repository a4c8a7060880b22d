/**
 * The browser tests' harness: build the client once with vite, start the real server on a free
 * port with a temporary database, and drive Debian's chromium through playwright-core.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { decode, type Iterator } from '@colyseus/schema';
import { unpack } from 'msgpackr';
import { startTestServer, type TestServer } from '../server/helpers';
import type { ServerConfig } from '../../server/config';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const RESULTS = join(ROOT, 'test-results');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Builds the client into a fresh temporary folder with vite's programmatic API. */
export async function buildClient(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'quorum-client-'));
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 2000 } });
  return outDir;
}

export interface Harness {
  server: TestServer;
  url: string;
  browser: Browser;
  close(): Promise<void>;
}

export async function startHarness(clientDir: string, overrides: Partial<ServerConfig> = {}): Promise<Harness> {
  const server = await startTestServer({ reconnectSeconds: 10, joinBurst: 200, ...overrides }, clientDir);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  mkdirSync(RESULTS, { recursive: true });
  return {
    server,
    url: server.url,
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      await server.stop().catch(() => undefined);
    },
  };
}

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors. */
  errors: string[];
  /** Every binary websocket frame the page received. */
  frames: Buffer[];
}

/** A phone in portrait: 390 x 844 CSS pixels at two device pixels each, with touch. */
export const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** A new browser context and page that records console errors and incoming websocket frames. */
export async function openPage(browser: Browser, url: string, viewport = { width: 1280, height: 800 }, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport, ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  const frames: Buffer[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('websocket', (ws) => {
    ws.on('framereceived', (frame) => {
      if (typeof frame.payload !== 'string') frames.push(Buffer.from(frame.payload));
    });
  });
  await page.goto(url);
  return { context, page, errors, frames };
}

/** The text a page shows at `selector` (the first match's innerText), its whitespace folded, cut to `max` characters. */
export async function shownText(page: Page, selector = 'body', max = 1_200): Promise<string> {
  const text = await page
    .evaluate((sel) => {
      const e = document.querySelector<HTMLElement>(sel);
      return e ? e.innerText : `(nothing matches ${sel})`;
    }, selector)
    .catch((e: Error) => `(unreadable: ${e.message.split('\n')[0]})`);
  const folded = text.replace(/[ \t]+/g, ' ').replace(/\s*\n\s*/g, ' | ').trim();
  return folded.length > max ? `${folded.slice(0, max)}…` : folded;
}

export interface StageOptions {
  /** How long to wait, in ms (30 s unless given). */
  timeout?: number;
  /** Selectors whose text a failure reports, as the page showed them when the wait gave up (the body's unless given). */
  shows?: readonly string[];
}

async function stageFailure(page: Page, stage: string, awaited: string, timeout: number, error: unknown, shows: readonly string[]): Promise<Error> {
  const message = (error as Error).message ?? String(error);
  if (!/timeout/i.test(message)) return new Error(`${stage}: ${message.split('\n')[0]}`);
  const seen = await Promise.all((shows.length > 0 ? shows : ['body']).map(async (sel) => `  ${sel}: ${await shownText(page, sel)}`));
  return new Error(`${stage}: waited ${timeout / 1000} s in vain for ${awaited}; the page showed:\n${seen.join('\n')}`);
}

/**
 * Waits until `fn(arg)` is truthy in the page and returns its value, as `page.waitForFunction` does;
 * when it does not come, fails naming the stage and what the page showed then, rather than with a
 * bare "Timeout exceeded".
 */
export async function waitStage<Arg, R>(page: Page, stage: string, fn: (arg: Arg) => R, arg: Arg, options: StageOptions & { awaited?: string } = {}): Promise<Awaited<R>> {
  const timeout = options.timeout ?? 30_000;
  try {
    const handle = await page.waitForFunction(fn as (arg: unknown) => R, arg as unknown, { timeout });
    return (await handle.jsonValue()) as Awaited<R>;
  } catch (e) {
    throw await stageFailure(page, stage, options.awaited ?? 'its condition', timeout, e, options.shows ?? []);
  }
}

/** Waits until the page shows `selector` (as `page.waitForSelector`); when it does not, fails as `waitStage` does. */
export async function waitShown(page: Page, stage: string, selector: string, options: StageOptions = {}): Promise<void> {
  const timeout = options.timeout ?? 30_000;
  try {
    await page.waitForSelector(selector, { timeout });
  } catch (e) {
    throw await stageFailure(page, stage, selector, timeout, e, options.shows ?? []);
  }
}

/** Colyseus's code for a room message (`room.send` / `client.send`). */
const ROOM_DATA = 13;

/** Decodes the room messages among received frames, as the SDK does: a type, then a msgpack payload. */
export function roomMessages(frames: readonly Buffer[]): { type: string; message: unknown }[] {
  const out: { type: string; message: unknown }[] = [];
  for (const buffer of frames) {
    if ((buffer[0]! & 0x1f) !== ROOM_DATA) continue;
    const it: Iterator = { offset: 1 };
    const type = decode.stringCheck(buffer, it) ? decode.string(buffer, it) : String(decode.number(buffer, it));
    out.push({ type, message: buffer.byteLength > it.offset ? unpack(buffer.subarray(it.offset)) : undefined });
  }
  return out;
}

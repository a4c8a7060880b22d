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

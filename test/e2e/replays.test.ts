/**
 * Replays in a real browser: an instructor opens a stored round of their class, scrubs, switches the
 * point of view, jumps to the commit point, exports and re-imports the round, and a bad file is refused.
 */
import { readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { digestOf } from '../../shared/engine/digest';
import { parseRound } from '../../shared/engine/round';
import { runSeed } from '../../shared/sim/swarm';
import { buildClient, openPage, RESULTS, startHarness, type Harness, type WatchedPage } from './harness';

let clientDir = '';
let harness: Harness;
let w: WatchedPage;
const files = mkdtempSync(join(tmpdir(), 'quorum-replay-files-'));

// A majority round on 5 nodes with faults, decided at its commit point, stored as a class round.
const run = runSeed({ protocol: 'majority', nodes: 5, seed: 1, faults: true });
const commit = run.world.global.chosen[0]!;
const CODE = 'RPLY23';
const KEY = 'instructor-key-for-replays';
const ROUND_ID = 'replaytestround1';

beforeAll(async () => {
  clientDir = await buildClient();
  harness = await startHarness(clientDir);
  const store = harness.server.store;
  const now = new Date().toISOString();
  store.createClass(CODE, 'Replays', KEY, now);
  store.beginRound(ROUND_ID, CODE, run.world.config, [{ node: 1, nickname: 'Ann' }], now);
  for (const command of run.log) store.append(ROUND_ID, command);
  store.appendRejection(ROUND_ID, { step: 4, node: 1, code: 'vote-locked', message: 'You already voted for X.' });
  store.finishRound(ROUND_ID, commit.decree, {}, [{ node: 1, nickname: 'Ann' }], now);
  w = await openPage(harness.browser, harness.url);
  // This browser hosted the class: it keeps the instructor key.
  await w.page.evaluate(([code, key]) => localStorage.setItem('quorum.hostedClasses', JSON.stringify([{ code, instructorKey: key }])), [CODE, KEY]);
  await w.page.reload();
  await w.page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
}, 120_000);

afterAll(async () => {
  await w?.context.close();
  await harness?.close();
  rmSync(files, { recursive: true, force: true });
  if (clientDir) rmSync(clientDir, { recursive: true, force: true });
});

async function position(page: Page): Promise<number> {
  const text = (await page.textContent('#replay-position')) ?? '';
  return Number(/Command (\d+)/.exec(text)?.[1] ?? -1);
}

async function scrubTo(page: Page, step: number): Promise<void> {
  await page.evaluate((value) => {
    const input = document.querySelector<HTMLInputElement>('#replay-scrubber')!;
    input.value = String(value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, step);
}

describe('replays', () => {
  it('lists the class round and opens it', async () => {
    await w.page.click('#open-replays');
    const entry = w.page.locator(`[data-round="${ROUND_ID}"]`);
    await entry.waitFor({ timeout: 10_000 });
    expect(await entry.textContent()).toMatch(/majority · 5 nodes · outcome X · Ann/);
    await entry.click();
    await w.page.waitForSelector('#replay-scrubber');
    expect(await position(w.page)).toBe(0);
    expect(await w.page.textContent('#replay-summary')).toContain(`${run.log.length} commands`);
    // Markers: the proposal, the recorded rejection and the commit point are on the timeline.
    expect(await w.page.locator('.marker.rejection').count()).toBe(1);
    expect(await w.page.locator('.marker.commit-point').count()).toBe(1);
    expect(await w.page.locator('.marker-button.fault').allTextContents()).toContainEqual(expect.stringMatching(/The network split/));
  });

  it('scrubs, steps and plays', async () => {
    await scrubTo(w.page, 40);
    expect(await position(w.page)).toBe(40);
    await w.page.click('#replay-forward');
    await w.page.click('#replay-forward');
    await w.page.click('#replay-back');
    expect(await position(w.page)).toBe(41);
    await w.page.selectOption('#replay-speed', '16');
    await w.page.click('#replay-play');
    await w.page.waitForFunction(() => /Command (\d+)/.exec(document.querySelector('#replay-position')?.textContent ?? '')?.[1] !== '41');
    await w.page.click('#replay-play');
    expect(await position(w.page)).toBeGreaterThan(41);
    await shot(w.page, 'replay-scrubbed.png');
    // The viewer shares the page with the menu and the round's panels: no id is used twice.
    const repeated = await w.page.evaluate(() => {
      const seen = new Map<string, number>();
      for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) ?? 0) + 1);
      return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
    });
    expect(repeated).toEqual([]);
  });

  it('shows only what the chosen node knew', async () => {
    await scrubTo(w.page, run.log.length);
    await w.page.selectOption('#replay-pov', 'god');
    // In the god view every node's card is there, with its vote.
    expect(await w.page.locator('#replay-now [data-node]').count()).toBe(5);
    const other = commit.voters.find((v) => v !== 2)!;
    await w.page.selectOption('#replay-pov', '2');
    const now = (await w.page.textContent('#replay-now')) ?? '';
    expect(now).toContain('only what C knew');
    // Another node's card, its locked vote and the commit point sentence are not shown.
    expect(await w.page.locator(`#replay-now [data-node="${other}"]`).count()).toBe(0);
    expect(await w.page.locator('#replay-now [data-node]').count()).toBe(1);
    expect(now).not.toContain('was chosen when');
    const picture = await w.page.evaluate(() => {
      const app = (window as unknown as { quorum: { app: { picture(): { nodes: { id: number; lines: string[]; commit: boolean }[] } } } }).quorum.app;
      return app.picture()!.nodes.map((n) => ({ id: n.id, lines: n.lines.length, commit: n.commit }));
    });
    // The canvas, too, knows only C's own state, and no commit point: C never saw it happen.
    expect(picture.filter((n) => n.lines > 0).map((n) => n.id)).toEqual([2]);
    expect(picture.filter((n) => n.commit)).toEqual([]);
    // The space-time diagram draws only C's own messages; the markers, only what C could see.
    const own = await w.page.evaluate(() => Number(document.querySelector<HTMLCanvasElement>('canvas.diagram')!.dataset.messages));
    const all = await w.page.evaluate(() => (window as unknown as { quorum: { replays: { current: { timeline: { messages: { from: number; to: number }[] } } } } }).quorum.replays.current.timeline.messages);
    expect(own).toBe(all.filter((m) => m.from === 2 || m.to === 2).length);
    expect(own).toBeLessThan(all.length);
    expect(await w.page.locator('.marker.commit-point').count()).toBe(0);
    expect(await w.page.locator('.marker-button.commit-point').count()).toBe(0);
    // The network's faults (a copy, a partition) and D's crashes happened out of C's sight.
    expect(await w.page.locator('.marker-button.fault').count()).toBe(0);
    await shot(w.page, 'replay-through-c.png');
    await w.page.selectOption('#replay-pov', 'god');
    expect(await w.page.evaluate(() => Number(document.querySelector<HTMLCanvasElement>('canvas.diagram')!.dataset.messages))).toBe(all.length);
    expect(await w.page.locator('.marker.commit-point').count()).toBe(1);
    expect(await w.page.locator('.marker-button.fault').allTextContents()).toContainEqual(expect.stringMatching(/The network split/));
  });

  it('jumps to the commit point and highlights the node whose vote decided it', async () => {
    await scrubTo(w.page, 0);
    await w.page.click('#replay-commit');
    expect(await position(w.page)).toBe(commit.step + 1);
    const text = (await w.page.textContent('#replay-commit-text')) ?? '';
    expect(text).toContain(`${commit.decree} was chosen when node ${'ABCDE'[commit.node]}`);
    expect(await w.page.locator(`#replay-now .commit-node[data-node="${commit.node}"]`).count()).toBe(1);
    await shot(w.page, 'replay-commit-point.png');
  });

  it('exports the round, imports the file, and the digests agree', async () => {
    const [download] = await Promise.all([w.page.waitForEvent('download'), w.page.click('#replay-export')]);
    const path = join(files, 'exported.json');
    await download.saveAs(path);
    const parsed = parseRound(readFileSync(path, 'utf8'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const original = digestOf({ config: run.world.config, log: run.log });
    expect(digestOf({ config: parsed.round.config, log: parsed.round.log })).toBe(original);
    await w.page.click('#replay-close');
    await w.page.setInputFiles('#replay-file', path);
    await w.page.waitForSelector('#replay-scrubber');
    expect(await w.page.getAttribute('#replay-summary', 'data-digest')).toBe(original);
  });

  it('refuses a malformed file with a clear message and changes nothing', async () => {
    // The class lists arrive late, after the file is refused: the library drawn again keeps the message.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await w.page.route('**/api/rounds?class=*', async (route) => {
      await held;
      await route.continue();
    });
    await w.page.click('#replay-close');
    const bad = join(files, 'truncated.json');
    writeFileSync(bad, '{"format":"quorum-round","version":1,"config":{"protocol":"maj');
    await w.page.setInputFiles('#replay-file', bad);
    await w.page.waitForFunction(() => (document.querySelector('#replay-error')?.textContent ?? '').length > 0);
    await w.page.evaluate("document.querySelector('#replay-error').dataset.before = 'lists'");
    release();
    await w.page.waitForFunction(() => !document.querySelector('#replay-error')?.hasAttribute('data-before'));
    await w.page.unroute('**/api/rounds?class=*');
    expect(await w.page.textContent('#replay-error')).toMatch(/truncated\.json: This file is not valid JSON/);
    expect(await w.page.locator('#replay-scrubber').count()).toBe(0);
    const foreign = join(files, 'foreign.json');
    writeFileSync(foreign, JSON.stringify({ format: 'something-else', version: 1 }));
    await w.page.setInputFiles('#replay-file', foreign);
    await w.page.waitForFunction(() => (document.querySelector('#replay-error')?.textContent ?? '').includes('foreign.json'));
    expect(await w.page.textContent('#replay-error')).toMatch(/not a Quorum round/);
    await shot(w.page, 'replay-bad-import.png');
  });

  it('forks the round at a step into a solo sandbox round under the instructor\'s control', async () => {
    await w.page.click(`[data-round="${ROUND_ID}"]`);
    await w.page.waitForSelector('#replay-scrubber');
    await scrubTo(w.page, 20);
    await w.page.click('#replay-fork');
    await w.page.waitForFunction(() => document.body.classList.contains('screen-round'), undefined, { timeout: 15_000 });
    const state = await w.page.evaluate(() => {
      const app = (window as unknown as { quorum: { app: { role: string; view: { kind: string; config: { settings: { sandbox: boolean } } } | null } } }).quorum.app;
      return { role: app.role, kind: app.view?.kind, sandbox: app.view?.config.settings.sandbox };
    });
    expect(state).toEqual({ role: 'instructor', kind: 'god', sandbox: true });
    await w.page.waitForFunction(() => (document.querySelector('#status')?.textContent ?? '').startsWith('What if?'));
    // A fork has no class: no join code to show, so no button that would open an empty card.
    await w.page.waitForSelector('#god-nodes');
    expect(await w.page.locator('#show-code').isVisible()).toBe(false);
    expect(await w.page.getByRole('button', { name: 'Show the join code' }).count()).toBe(0);
    await shot(w.page, 'replay-fork.png');
  });

  it('logged no console errors', () => {
    expect(w.errors).toEqual([]);
  });
});

function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: join(RESULTS, name) });
}

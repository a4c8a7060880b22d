/**
 * Timers in a real browser: a solo round of each protocol, where the player's node shows its running
 * timers with the ticks left, counting down (the ring on the canvas is in the screenshots, in test-results/).
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildClient, openPage, RESULTS, startHarness, type Harness } from './harness';

let clientDir = '';
let harness: Harness;

beforeAll(async () => {
  clientDir = await buildClient();
  harness = await startHarness(clientDir);
}, 120_000);

afterAll(async () => {
  await harness?.close();
  if (clientDir) rmSync(clientDir, { recursive: true, force: true });
});

async function soloRound(page: Page, protocol: string): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  await page.selectOption('#solo-protocol', protocol);
  await page.selectOption('#solo-nodes', '3');
  await page.click('#play-solo');
  await page.waitForSelector('#my-node');
}

/** The ticks left on the player's timer of this name, as its sentence says them. */
async function ticksLeft(page: Page, name: string): Promise<number> {
  const text = await page.locator(`#my-timers li[data-timer="${name}"]`).textContent();
  const match = /fires in (\d+) ticks?/.exec(text ?? '');
  if (!match) throw new Error(`no ticks in "${text}"`);
  return Number(match[1]);
}

describe('a node\'s timers in the browser', () => {
  it('Paxos: starting a ballot sets the retry timer, and the player watches it count down', async () => {
    const { context, page, errors } = await openPage(harness.browser, harness.url);
    await soloRound(page, 'paxos');
    const start = page.locator('#moves button[data-action="prepare"]:not([disabled])').first();
    await start.waitFor({ timeout: 30_000 });
    await start.click();
    // A node that has no ballot yet may already hold a retry timer (to find out what was chosen); the
    // ballot's own timer replaces it once the server has the click, so wait for its sentence.
    const sentence = /^Your retry timer fires in \d+ ticks?: then it is time to give up on ballot \d+\.A and start a higher one\.$/;
    await page.waitForFunction((source) => new RegExp(source).test(
      document.querySelector('#my-timers li[data-timer="retry"]')?.textContent ?? ''), sentence.source, { timeout: 10_000 });
    await expect(page.locator('#my-timers li[data-timer="retry"]').textContent()).resolves.toMatch(sentence);
    const before = await ticksLeft(page, 'retry');
    await page.waitForFunction((b) => {
      const m = /fires in (\d+) tick/.exec(document.querySelector('#my-timers li[data-timer="retry"]')?.textContent ?? '');
      return m !== null && Number(m[1]) < b;
    }, before, { timeout: 15_000 });
    await page.screenshot({ path: join(RESULTS, 'timer-paxos.png') });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('2PC: the coordinator\'s timeout runs once PREPARE is out', async () => {
    const { context, page, errors } = await openPage(harness.browser, harness.url);
    await soloRound(page, '2pc');
    const begin = page.locator('#moves button[data-action="prepare"]:not([disabled])').first();
    await begin.waitFor({ timeout: 30_000 });
    await begin.click();
    const timer = page.locator('#my-timers li[data-timer="timeout"]');
    await timer.waitFor({ timeout: 10_000 });
    await expect(timer.textContent()).resolves.toMatch(/^Your timeout fires in \d+ ticks?: then it is time to stop waiting for the votes, and without every YES, ABORT is the safe choice\.$/);
    await page.screenshot({ path: join(RESULTS, 'timer-2pc.png') });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('majority vote: a protocol without timers shows none', async () => {
    const { context, page, errors } = await openPage(harness.browser, harness.url);
    await soloRound(page, 'majority');
    await page.waitForSelector('#my-state li');
    // A few ticks in, still no timer.
    await page.waitForFunction(() => Number(document.querySelector('#tick')?.textContent) >= 3, undefined, { timeout: 15_000 });
    expect(await page.locator('#my-timers').count()).toBe(0);
    await page.screenshot({ path: join(RESULTS, 'timer-majority.png') });
    expect(errors).toEqual([]);
    await context.close();
  });
});

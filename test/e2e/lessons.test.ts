/**
 * A lesson played alone through the page: the Learn path on the menu, the lesson panel beside the
 * round with its objectives ticked off as the player reaches them, and the debrief at the end; the
 * finished lesson is marked done on the menu. Screenshots of each step (lesson-solo-step-N.png) and of the
 * debrief go to test-results/.
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildClient, openPage, RESULTS, startHarness, type Harness, type WatchedPage } from './harness';

let clientDir = '';
let harness: Harness;
let w: WatchedPage | null = null;

beforeAll(async () => {
  clientDir = await buildClient();
  harness = await startHarness(clientDir, { tickMs: 100 });
}, 120_000);

afterAll(async () => {
  await w?.context.close();
  await harness?.close();
  if (clientDir) rmSync(clientDir, { recursive: true, force: true });
});

/**
 * Presses a move's button once it is enabled, with one click inside the page: the moves are drawn
 * again as the round runs, and a click aimed at a button that is replaced meanwhile would be lost.
 */
async function press(page: Page, selector: string, text = ''): Promise<void> {
  const find = ([s, t]: [string, string]) => [...document.querySelectorAll<HTMLButtonElement>(`${s}:not([disabled])`)].find((b) => b.textContent!.includes(t)) ?? null;
  await page.waitForFunction(find, [selector, text] as [string, string], { timeout: 30_000 });
  await page.evaluate((args) => {
    const [s, t] = args;
    [...document.querySelectorAll<HTMLButtonElement>(`${s}:not([disabled])`)].find((b) => b.textContent!.includes(t))!.click();
  }, [selector, text] as [string, string]);
}

function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: join(RESULTS, name) });
}

describe('Learn', () => {
  it('plays the two-phase commit lesson from the menu to its debrief, and marks it done', async () => {
    w = await openPage(harness.browser, harness.url, { width: 1280, height: 860 });
    const page = w.page;
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    await page.waitForSelector('#learn li[data-lesson-number="4"] button');
    await shot(page, 'lesson-menu.png');
    await page.click('#lesson-two-phase-commit');
    await page.waitForSelector('#lesson-title:has-text("Two-phase commit")');
    await expect(page.locator('#lesson-objectives li').count()).resolves.toBeGreaterThan(1);
    await shot(page, 'lesson-start.png');

    // The coordinator sends PREPARE, then commits once every YES is in; each objective reached is shot.
    const stepShot = async (n: number) => {
      await page.waitForFunction((k) => document.querySelectorAll('#lesson-objectives li[data-reached="true"]').length >= k, n, { timeout: 60_000 });
      await page.evaluate(() => document.getElementById('side')!.scrollTo(0, 0));
      await shot(page, `lesson-solo-step-${n}.png`);
    };
    await press(page, '#moves button[data-action="prepare"]');
    await stepShot(1);
    await stepShot(2);
    await press(page, '#moves button[data-action="decide"]', 'COMMIT');
    await stepShot(3);
    await stepShot(4);
    await page.waitForSelector('#lesson-debrief', { timeout: 60_000 });
    await expect(page.locator('#lesson-objectives li[data-reached="false"]').count()).resolves.toBe(0);
    const debrief = (await page.locator('#lesson-debrief').textContent())!;
    expect(debrief).toMatch(/commit/i);
    await page.evaluate(() => document.getElementById('side')!.scrollTo(0, 0));
    await expect(page.locator('#lesson').isVisible()).resolves.toBe(true);
    await shot(page, 'lesson-debrief.png');
    await page.locator('#lesson').screenshot({ path: join(RESULTS, 'lesson-debrief-panel.png') });

    // Back on the menu, the lesson is done.
    await page.click('#leave');
    await page.waitForSelector('#learn');
    await page.waitForSelector('#learn li[data-lesson-number="4"] .lesson-done:not([hidden])');
    await expect(page.locator('#learn .lesson-done:not([hidden])').count()).resolves.toBe(1);
    expect(w.errors).toEqual([]);
  }, 180_000);

  it('plays one machine from its Learn card: a lone node in the middle of the canvas, its log written, crashed before and after a write, and the debrief', async () => {
    await w?.context.close();
    w = await openPage(harness.browser, harness.url, { width: 1280, height: 860 });
    const page = w.page;
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    // The Learn path starts with it; no menu offers its protocol for a round of its own.
    await page.waitForSelector('#learn li[data-lesson-number="1"] button');
    await expect(page.locator('option[value="machine"]').count()).resolves.toBe(0);
    await page.click('#lesson-one-machine');
    await page.waitForSelector('#lesson-title:has-text("One machine")');
    await page.waitForSelector('text=One machine, 1 node ·');
    await press(page, '#moves button[data-action="write"]');
    await press(page, '#moves button[data-action="apply"]');
    // The client asks again for the update lost in the crash before its write.
    await page.waitForSelector('#moves button[data-action="write"]:has-text("withdraw 5")', { timeout: 30_000 });
    await page.evaluate(() => document.getElementById('side')!.scrollTo(0, 0));
    await shot(page, 'lesson-one-machine.png');
    await press(page, '#moves button[data-action="write"]', 'withdraw 5');
    await page.waitForSelector('#lesson-debrief', { timeout: 60_000 });
    await expect(page.locator('#lesson-objectives li[data-reached="false"]').count()).resolves.toBe(0);
    const debrief = (await page.locator('#lesson-debrief').textContent())!;
    expect(debrief).toContain('The commit point of each update was its write to the log');
    expect(debrief).toContain('one step earlier');
    await page.evaluate(() => document.getElementById('side')!.scrollTo(0, 0));
    await shot(page, 'lesson-one-machine-debrief.png');
    expect(w.errors).toEqual([]);
  }, 180_000);

  it('starts the two generals from the Learn card: two nodes, the plan sent, and acknowledgements', async () => {
    const g = await openPage(harness.browser, harness.url, { width: 1280, height: 860 });
    const page = g.page;
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    await page.click('#lesson-two-generals');
    await page.waitForSelector('#lesson-title:has-text("The two generals")');
    // The moves are drawn again as the dawn timer runs down: press a button in one go, from inside the page.
    const press = (action: string): Promise<boolean> =>
      page.evaluate((a) => {
        const button = document.querySelector<HTMLButtonElement>(`#moves button[data-action="${a}"]`);
        button?.click();
        return button !== null;
      }, action);
    await page.waitForSelector('#moves button[data-action="plan"]', { timeout: 30_000 });
    expect(await press('plan')).toBe(true);
    await page.waitForSelector('#lesson-objectives li[data-reached="true"]');
    // The first messenger is caught: send again until B's acknowledgement comes, then answer it.
    for (let i = 0; i < 20 && !(await page.locator('#moves button[data-action="ack"]').count()); i++) {
      await page.waitForTimeout(700);
      if (!(await page.locator('#moves button[data-action="ack"]').count())) await press('plan');
    }
    expect(await press('ack')).toBe(true);
    await page.waitForFunction(() => document.querySelectorAll('#lesson-objectives li[data-reached="true"]').length >= 3, undefined, { timeout: 15_000 });
    await page.evaluate(() => document.getElementById('side')!.scrollTo(0, 0));
    await shot(page, 'lesson-two-generals.png');
    expect(g.errors).toEqual([]);
    await g.context.close();
  }, 180_000);
});

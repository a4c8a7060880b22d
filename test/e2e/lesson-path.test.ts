/**
 * Every lesson on the Learn path, on a phone and by keyboard alone: the lesson's button is reached
 * with Tab and started with Enter, the lesson panel fits the phone's width, and the player's first
 * move is reached with Tab and made with Enter. A screenshot of each lesson goes to test-results/.
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { LESSONS } from '../../shared/lessons';
import { buildClient, openPage, RESULTS, startHarness, type Harness, type WatchedPage } from './harness';

let clientDir = '';
let harness: Harness;
let w: WatchedPage | null = null;

const PHONE = { width: 390, height: 844 };

beforeAll(async () => {
  clientDir = await buildClient();
  // A slow clock: on a loaded machine a lesson's first move must not pass (a timeout, a dead end) before the page offers it.
  harness = await startHarness(clientDir, { tickMs: 1000 });
}, 120_000);

afterAll(async () => {
  await w?.context.close();
  await harness?.close();
  if (clientDir) rmSync(clientDir, { recursive: true, force: true });
});

/** Presses Tab until the focused element matches `selector`; fails after `most` presses. */
async function tabTo(page: Page, selector: string, most = 120): Promise<void> {
  for (let i = 0; i < most; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

describe('the Learn path on a phone, by keyboard', () => {
  it('starts every lesson and makes its first move with the keyboard alone, within the phone\'s width', async () => {
    expect(LESSONS.length).toBeGreaterThanOrEqual(8);
    w = await openPage(harness.browser, harness.url, PHONE, { isMobile: true, hasTouch: true });
    const page = w.page;
    for (const lesson of LESSONS) {
      await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
      await page.waitForSelector(`#lesson-${lesson.id}`);
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await tabTo(page, `#lesson-${lesson.id}`);
      await page.keyboard.press('Enter');
      await page.waitForSelector(`#lesson-title:has-text("${lesson.title}")`, { timeout: 30_000 });
      await expect(page.locator('#lesson-objectives li').count()).resolves.toBe(lesson.steps.length);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${lesson.id} scrolls sideways`).toBeLessThanOrEqual(1);

      // The first move the lesson offers its player, made by keyboard.
      await page.waitForSelector('[data-action]:not([disabled])', { timeout: 60_000 }).catch((e: Error) => {
        throw new Error(`lesson ${lesson.id} offered no move: ${e.message}`);
      });
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await tabTo(page, '[data-action]:not([disabled])');
      const label = await page.evaluate(() => document.activeElement!.textContent);
      await page.keyboard.press('Enter');
      await page.waitForSelector('#log-list li.mine', { timeout: 15_000 });
      expect(await page.locator('#log-list li.mine').first().textContent()).toContain(label!.trim().slice(0, 12));
      if (lesson.id === 'electing-leader') {
        // Nobody may run before A leads and crashes: the first move is B's run once A has crashed, the
        // lesson's third objective, and it leads somewhere, not to a dead end.
        expect(label).toMatch(/^Run for leader/);
        await page.waitForSelector('#lesson-objectives li:nth-child(3)[data-reached="true"]', { timeout: 15_000 });
        await expect(page.locator('#lesson-dead-end').count(), `${lesson.id} ended by its first move`).resolves.toBe(0);
      }
      await page.evaluate(() => document.getElementById('lesson-title')!.scrollIntoView({ block: 'start' }));
      await page.screenshot({ path: join(RESULTS, `lesson-${lesson.number}-${lesson.id}-phone.png`) });

      await tabTo(page, '#leave');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#learn', { timeout: 30_000 });
    }
    expect(w.errors).toEqual([]);
  }, 900_000);
});

/**
 * The replay of a lesson played alone: the lesson is played from the menu, then opened from the
 * replays screen, listed by the lesson's title. Its timeline carries a mark for each objective reached
 * and each thing the script did, which seek to their step by pointer and by keyboard, and the lesson
 * panel shows the objectives, ticked as the replay reaches them, and the debrief. On a phone too.
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { lessonById } from '../../shared/lessons';
import { buildClient, openPage, PHONE, RESULTS, startHarness, type Harness, type WatchedPage } from './harness';

let clientDir = '';
let harness: Harness;
const pages: WatchedPage[] = [];

beforeAll(async () => {
  clientDir = await buildClient();
  harness = await startHarness(clientDir, { tickMs: 100 });
}, 120_000);

afterAll(async () => {
  for (const w of pages) await w.context.close();
  await harness?.close();
  if (clientDir) rmSync(clientDir, { recursive: true, force: true });
});

const lesson = lessonById('two-phase-commit')!;

async function position(page: Page): Promise<number> {
  const text = (await page.textContent('#replay-position')) ?? '';
  return Number(/Command (\d+)/.exec(text)?.[1] ?? -1);
}

/** From the menu to the replay of the one solo round this browser kept. */
async function openLessonReplay(page: Page): Promise<void> {
  await page.click('#open-replays');
  const listed = page.locator(`#replays ul.rounds button:has-text("Lesson ${lesson.number}: ${lesson.title}")`);
  await listed.waitFor({ timeout: 30_000 });
  await listed.click();
  await page.waitForSelector('#replay-lesson-title');
}

describe('the replay of a lesson', () => {
  let kept = '';

  it('shows the lesson\'s steps on the timeline, seeks to them, and shows its objectives and debrief', async () => {
    const w = await openPage(harness.browser, harness.url, { width: 1280, height: 860 });
    pages.push(w);
    const page = w.page;
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    await page.click(`#lesson-${lesson.id}`);
    await page.waitForSelector('#lesson-title');
    // The coordinator sends PREPARE, then commits once every YES is in.
    const prepare = page.locator('#moves button[data-action="prepare"]').first();
    await prepare.waitFor({ timeout: 30_000 });
    await prepare.click();
    const commit = page.locator('#moves button[data-action="decide"]:has-text("COMMIT")').first();
    await commit.waitFor({ timeout: 30_000 });
    await commit.click();
    await page.waitForSelector('#lesson-debrief', { timeout: 60_000 });
    // The finished round is kept in this browser for the replays screen.
    await page.waitForFunction(() => (localStorage.getItem('quorum.soloRounds') ?? '').includes('"lesson"'), undefined, { timeout: 30_000 });
    kept = await page.evaluate(() => localStorage.getItem('quorum.soloRounds')!);
    await page.click('#leave');
    await page.waitForSelector('#open-replays');

    await openLessonReplay(page);
    await expect(page.textContent('#replay-lesson-title')).resolves.toBe(`Lesson ${lesson.number}: ${lesson.title}`);
    await expect(page.textContent('#replay-summary')).resolves.toContain(lesson.title);
    await expect(page.textContent('#replay-lesson')).resolves.toContain(lesson.idea);
    // A mark for each objective reached and for what the script did.
    const objectives = page.locator('#replay-lesson-marks .lesson-mark.objective');
    await expect(objectives.count()).resolves.toBe(lesson.steps.length);
    await expect(page.locator('#replay-lesson-marks .lesson-mark.script').count()).resolves.toBeGreaterThan(0);
    const labels = await objectives.evaluateAll((marks) => marks.map((m) => m.getAttribute('aria-label') ?? ''));
    lesson.steps.forEach((step, i) => expect(labels[i]).toContain(step.title));
    // Each in the marker list as well.
    await expect(page.locator('#replay-marker-list .marker-button.lesson').count()).resolves.toBe(await page.locator('#replay-lesson-marks .lesson-mark').count());
    // The debrief, worked out from the stored log, names the player's seat.
    const debrief = page.locator('#replay-lesson-debrief p');
    await expect(debrief.count()).resolves.toBeGreaterThan(2);
    await expect(page.textContent('#replay-lesson-debrief')).resolves.toMatch(/commit point was you \(A\)/i);
    // At the start, no objective is ticked.
    await expect(page.locator('#replay-lesson-objectives li[data-reached="true"]').count()).resolves.toBe(0);

    // A click on the last objective's mark seeks to its step, and ticks every objective.
    const last = objectives.last();
    const lastStep = Number(await last.getAttribute('data-step'));
    await last.click();
    expect(await position(page)).toBe(lastStep);
    await expect(page.locator('#replay-lesson-objectives li[data-reached="true"]').count()).resolves.toBe(lesson.steps.length);
    await expect(last.getAttribute('class')).resolves.toContain('current');

    // By keyboard: the first objective's mark takes focus, and Enter seeks to it.
    const first = objectives.first();
    const firstStep = Number(await first.getAttribute('data-step'));
    expect(firstStep).toBeLessThan(lastStep);
    await first.focus();
    await page.keyboard.press('Enter');
    expect(await position(page)).toBe(firstStep);
    await expect(page.locator('#replay-lesson-objectives li[data-reached="true"]').count()).resolves.toBe(1);
    // The panel's own step links seek too.
    await page.locator('#replay-lesson-objectives li').nth(1).locator('button.step-link').click();
    expect(await position(page)).toBe(Number(await objectives.nth(1).getAttribute('data-step')));

    await page.evaluate(() => document.getElementById('side')!.scrollTo(0, 0));
    await page.screenshot({ path: join(RESULTS, 'lesson-replay.png') });
    expect(w.errors).toEqual([]);
  }, 240_000);

  it('works on a phone: the lesson panel, the marks and the debrief fit, and a tap seeks', async () => {
    expect(kept).not.toBe('');
    const w = await openPage(harness.browser, harness.url, { width: 390, height: 844 }, PHONE);
    pages.push(w);
    const page = w.page;
    // The same browser's kept rounds, in the phone's own storage.
    await page.evaluate((rounds) => localStorage.setItem('quorum.soloRounds', rounds), kept);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    await openLessonReplay(page);
    const marks = page.locator('#replay-lesson-marks .lesson-mark.objective');
    await expect(marks.count()).resolves.toBe(lesson.steps.length);
    // Nothing of the viewer runs off the side of the screen.
    const overflow = await page.evaluate(() => {
      const side = document.getElementById('side')!;
      return [...side.querySelectorAll<HTMLElement>('#replay-lesson, #replay-lesson-marks, #replay-lesson-debrief')].map((e) => e.getBoundingClientRect().right - window.innerWidth);
    });
    for (const o of overflow) expect(o).toBeLessThanOrEqual(0);
    const target = marks.nth(1);
    const step = Number(await target.getAttribute('data-step'));
    await target.tap();
    expect(await position(page)).toBe(step);
    // The timeline with the lesson's marks at the top of the screen, the lesson panel below it.
    await page.evaluate(() => document.querySelector('#replays .scrub')!.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(RESULTS, 'lesson-replay-phone.png') });
    expect(w.errors).toEqual([]);
  }, 120_000);
});

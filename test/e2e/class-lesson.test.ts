/**
 * A lesson played by a class, in a real browser: the instructor hosts, opens the projector view and
 * picks lesson 5 (the blocking coordinator); two students join, one on a phone, and take the
 * lesson's seats B and C with their own briefings. They play it through the page while the group
 * stops at each objective until the instructor presses "Next step". The projector's grid ticks the
 * objectives off, and at the end the debrief names the students for everyone. Screenshots go to
 * test-results/class-lesson-*.png.
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
  harness = await startHarness(clientDir, { tickMs: 150 });
}, 120_000);

afterAll(async () => {
  for (const w of pages) await w.context.close().catch(() => undefined);
  await harness?.close();
  if (clientDir) rmSync(clientDir, { recursive: true, force: true });
});

const lesson = lessonById('blocking-coordinator')!;

function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: join(RESULTS, name) });
}

async function ready(page: Page): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
}

/** The number of objectives group 1 has reached, as the projector's grid shows them. */
async function reachedOnProjector(projector: Page): Promise<number> {
  return projector.locator('#projector-lesson tr[data-group="1"] td.reached').count();
}

describe('a class plays a lesson', () => {
  it('plays lesson 5 with two students, the instructor moving the group on at each objective, to a debrief that names the students', async () => {
    const teacher = await openPage(harness.browser, harness.url, { width: 1400, height: 900 });
    pages.push(teacher);
    await ready(teacher.page);
    await teacher.page.fill('#host-title', 'Distributed Systems 101');
    await teacher.page.click('#host-class');
    await teacher.page.waitForSelector('#join-code-display');
    const code = (await teacher.page.locator('#join-code-display').textContent())!.trim();

    const projector = await teacher.context.newPage();
    const projectorErrors: string[] = [];
    projector.on('console', (m) => void (m.type() === 'error' && projectorErrors.push(m.text())));
    projector.on('pageerror', (e) => void projectorErrors.push(e.message));
    await projector.setViewportSize({ width: 1600, height: 900 });
    await projector.goto(`${harness.url}/class/${code}/screen`);
    await projector.waitForSelector('#projector-code');

    // Two students: Ada on a phone, Grace on a laptop.
    const join = async (nickname: string, phone: boolean): Promise<WatchedPage> => {
      const w = await openPage(harness.browser, `${harness.url}/join/${code}`, phone ? { width: 390, height: 844 } : { width: 1280, height: 860 }, phone ? PHONE : {});
      pages.push(w);
      await ready(w.page);
      await w.page.fill('#join-nickname', nickname);
      await w.page.click('#join-class');
      await w.page.waitForSelector('#my-group');
      return w;
    };
    const ada = await join('Ada', true);
    const grace = await join('Grace', false);

    // The instructor picks the lesson: it sets the round up itself.
    await teacher.page.selectOption('#setup-lesson', 'blocking-coordinator');
    await expect(teacher.page.locator('#setup-lesson-hint').textContent()).resolves.toMatch(/Each group is 3 students at B, C, D/);
    // Half speed: the coordinator's timeout (30 ticks) leaves the students time to vote.
    await teacher.page.selectOption('#setup-speed', '0.5');
    await teacher.page.click('#start-round');
    // 1. Both vote YES on the PREPARE: Ada's YES is the first objective; the clock stands, and Grace may still vote.
    const voteYes = async (w: WatchedPage): Promise<void> => {
      // The PREPARE in the inbox, opened, offers the answers (by keyboard: a phone's panel re-renders each tick).
      await w.page.waitForSelector('ul.inbox button.msg:has-text("PREPARE")', { timeout: 60_000 });
      await w.page.focus('ul.inbox button.msg');
      await w.page.keyboard.press('Enter');
      await w.page.waitForSelector('ul.inbox button.msg[aria-expanded="true"]:focus');
      await w.page.focus('ul.inbox .answers button[data-action="vote"]:has-text("YES")');
      await w.page.keyboard.press('Enter');
      await w.page.waitForSelector('#my-state li:has-text("voted YES"), #my-node:has-text("YES")', { timeout: 15_000 });
    };
    await voteYes(ada);
    // The group now waits at its first objective: the clock stands while everyone reads.
    await teacher.page.waitForSelector('#dashboard:not([hidden]) #dashboard-lesson-grid');

    // Each student holds the lesson's seats in order, and reads a briefing for their own seat.
    await ada.page.waitForSelector('#lesson-briefing');
    await expect(ada.page.locator('#lesson-briefing').textContent()).resolves.toBe(lesson.briefings![1]);
    await grace.page.waitForSelector('#lesson-briefing');
    await expect(grace.page.locator('#lesson-briefing').textContent()).resolves.toBe(lesson.briefings![2]);
    // Ada holds the lesson's own seat: its objectives speak to her. Grace reads them as the group's. The first is reached.
    await expect(ada.page.locator('#lesson-objectives li').first().textContent()).resolves.toBe(`✓ ${lesson.steps[0]!.title}`);
    await expect(grace.page.locator('#lesson-objectives li').first().textContent()).resolves.toBe(`✓ ${lesson.steps[0]!.groupTitle}`);

    await projector.waitForSelector('#projector-lesson');
    await expect(projector.locator('#projector-lesson .lesson-grid-objectives li').allTextContents()).resolves.toEqual(lesson.steps.map((s) => s.groupTitle));

    /** After the group reached `n` objectives: it waits; screenshots of the projector and the instructor; "Next step". */
    const step = async (n: number, before: () => Promise<void> = async () => {}): Promise<void> => {
      await projector.waitForFunction((count) => document.querySelectorAll('#projector-lesson tr[data-group="1"] td.reached').length >= count, n, { timeout: 60_000 });
      await projector.waitForSelector('#projector-lesson tr[data-group="1"].waiting', { timeout: 15_000 });
      await ada.page.waitForSelector('#lesson-waiting');
      await teacher.page.waitForSelector('#control-next-step:not([disabled])');
      await before();
      await shot(projector, `class-lesson-step-${n}.png`);
      await shot(teacher.page, `class-lesson-step-${n}-instructor.png`);
      await teacher.page.click('#control-next-step');
      await projector.waitForSelector('#projector-lesson tr[data-group="1"]:not(.waiting)', { timeout: 15_000 });
    };

    await step(1, async () => {
      await voteYes(grace);
      await ada.page.locator('#lesson').evaluate((e) => e.scrollIntoView());
      await shot(ada.page, 'class-lesson-student-phone.png');
    });
    expect(await reachedOnProjector(projector)).toBe(1);

    // 2. The coordinator has crashed (Ada's panel tells it); Ada asks the others.
    await ada.page.waitForSelector('#lesson-narrative li:has-text("crashes")', { timeout: 60_000 });
    await ada.page.waitForSelector('#moves button[data-action="askPeers"]:not([disabled])', { timeout: 60_000 });
    // The moves are drawn again each tick: on a loaded machine the focused button may be replaced before
    // Enter lands, so Ada presses again until her move is in her log.
    for (let tries = 0; tries < 10 && (await ada.page.locator('#log-list li.mine:has-text("Ask")').count()) === 0; tries++) {
      await ada.page.focus('#moves button[data-action="askPeers"]:not([disabled])').catch(() => undefined);
      await ada.page.keyboard.press('Enter');
      await ada.page.waitForSelector('#log-list li.mine:has-text("Ask")', { timeout: 3_000 }).catch(() => undefined);
    }
    await step(2);
    // 3. The answers come back: nobody knows.
    await step(3);
    // 4. The coordinator recovers and ends the doubt; the round ends, or waits once more.
    await teacher.page.waitForFunction(() => document.querySelectorAll('#dashboard-lesson-grid tr[data-group="1"] td.reached').length === 4, undefined, { timeout: 60_000 });
    // The debrief came before the groups' progress that says so: the round either ended with it, or waits once more.
    // The projector turns to the results when the round ends: G brings the grid back.
    if ((await teacher.page.locator('#lesson-debrief').count()) > 0) await projector.waitForSelector('[data-page="results"]', { timeout: 15_000 });
    await projector.keyboard.press('g');
    await projector.waitForFunction(() => document.querySelectorAll('#projector-lesson tr[data-group="1"] td.reached').length === 4, undefined, { timeout: 15_000 });
    await shot(projector, 'class-lesson-step-4.png');
    await shot(teacher.page, 'class-lesson-step-4-instructor.png');
    if (await teacher.page.locator('#control-next-step:not([disabled])').count()) await teacher.page.click('#control-next-step');

    // The debrief, naming the students, for the instructor, the projector and each student.
    await teacher.page.waitForSelector('#lesson-debrief', { timeout: 60_000 });
    const debrief = (await teacher.page.locator('#lesson-debrief').textContent())!;
    expect(debrief).toMatch(/Ada \(B\) asked the others at tick \d+/);
    expect(debrief).toMatch(/by tick \d+ Grace \(C\) and D had answered that they did not know/);
    for (const w of [ada, grace]) {
      await w.page.waitForSelector('#lesson-debrief', { timeout: 30_000 });
      await expect(w.page.locator('#lesson-debrief').textContent()).resolves.toBe(debrief);
      await expect(w.page.locator('#lesson-objectives li[data-reached="false"]').count()).resolves.toBe(0);
    }
    // The projector shows the debrief on its results page (R), and on the grid page (G).
    await projector.keyboard.press('r');
    await projector.waitForSelector('[data-page="results"] #projector-results-debrief', { timeout: 15_000 });
    await shot(projector, 'class-lesson-debrief-results.png');
    await projector.keyboard.press('g');
    await projector.waitForSelector('#projector-debrief');
    await expect(projector.locator('#projector-debrief').textContent()).resolves.toContain('Ada (B) asked the others');
    await shot(projector, 'class-lesson-debrief.png');
    await shot(teacher.page, 'class-lesson-debrief-instructor.png');
    await ada.page.locator('#lesson-debrief').evaluate((e) => e.scrollIntoView());
    await shot(ada.page, 'class-lesson-debrief-student-phone.png');
    await grace.page.locator('#lesson-debrief').evaluate((e) => e.scrollIntoView());
    await shot(grace.page, 'class-lesson-debrief-student.png');

    expect(projectorErrors).toEqual([]);
    for (const w of [teacher, ada, grace]) expect(w.errors).toEqual([]);
  }, 300_000);
});

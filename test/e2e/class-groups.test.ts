/**
 * A whole class at once, in a real browser: an instructor hosts, the projector view is open, twelve
 * students join from their phones and are dealt into three groups of four, each playing its own 2PC
 * round. The instructor pauses every group, the coordinators send their PREPAREs (a paused clock
 * still lets students answer), and one click crashes every coordinator at once. The participants
 * vote YES and are left in doubt; the reveal compares the groups, and the class report's CSV is
 * downloaded and its rows checked. Screenshots go to test-results/.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildClient, openPage, PHONE, RESULTS, startHarness, type Harness, type WatchedPage } from './harness';

let clientDir = '';
let harness: Harness;
const pages: WatchedPage[] = [];

beforeAll(async () => {
  clientDir = await buildClient();
  harness = await startHarness(clientDir, { tickMs: 200 });
}, 120_000);

afterAll(async () => {
  for (const w of pages) await w.context.close().catch(() => undefined);
  await harness?.close();
  if (clientDir) rmSync(clientDir, { recursive: true, force: true });
});

async function ready(page: Page): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
}

function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: join(RESULTS, name) });
}

const NICKNAMES = ['Ada', 'Barbara', 'Claude', 'Donald', 'Edsger', 'Frances', 'Grace', 'Hedy', 'Ivan', 'John', 'Katherine', 'Leslie'];

describe('a class of twelve in three groups', () => {
  it('deals twelve students into three groups of four, crashes every coordinator at once, compares the groups and downloads the class report', async () => {
    const teacher = await openPage(harness.browser, harness.url, { width: 1400, height: 900 }, { acceptDownloads: true });
    pages.push(teacher);
    await ready(teacher.page);
    await teacher.page.fill('#host-title', 'Distributed Systems 101');
    await teacher.page.click('#host-class');
    await teacher.page.waitForSelector('#join-code-display');
    const code = (await teacher.page.locator('#join-code-display').textContent())!.trim();

    // The projector view, opened from the instructor's browser (where the class's key is kept).
    const projector = await teacher.context.newPage();
    const projectorErrors: string[] = [];
    projector.on('console', (m) => void (m.type() === 'error' && projectorErrors.push(m.text())));
    projector.on('pageerror', (e) => void projectorErrors.push(e.message));
    await projector.setViewportSize({ width: 1600, height: 900 });
    await projector.goto(`${harness.url}/class/${code}/screen`);
    await projector.waitForSelector('#projector-code');
    await expect(projector.locator('#projector-code').textContent()).resolves.toContain(code);
    await expect(projector.locator('.pj-qr svg, #projector svg').count()).resolves.toBeGreaterThan(0);

    // Twelve students join from the join link.
    const students: { w: WatchedPage; nickname: string }[] = [];
    for (const [i, nickname] of NICKNAMES.entries()) {
      const w = await openPage(harness.browser, `${harness.url}/join/${code}`, { width: 390, height: 844 }, i === 0 ? PHONE : {});
      pages.push(w);
      await ready(w.page);
      await w.page.fill('#join-nickname', nickname);
      await w.page.click('#join-class');
      await w.page.waitForSelector('#my-group');
      students.push({ w, nickname });
    }
    await projector.waitForFunction(() => /12/.test(document.querySelector('#projector-joined')?.textContent ?? ''), undefined, { timeout: 15_000 });
    await shot(projector, 'class-projector-lobby.png');

    // A 2PC round of four nodes, in groups of four.
    await teacher.page.selectOption('#setup-protocol', '2pc');
    await teacher.page.selectOption('#setup-nodes', '4');
    await teacher.page.fill('#setup-group-size', '4');
    await teacher.page.click('#start-round');
    await teacher.page.waitForSelector('#dashboard:not([hidden]) #god-nodes');
    await teacher.page.waitForSelector('#groups-list [data-key="group-3"]');
    await expect(teacher.page.locator('#groups-list > li').count()).resolves.toBe(3);

    // Every student is in a group of four, and each group has one coordinator, on node A.
    const seats = await Promise.all(
      students.map(async ({ w, nickname }) => ({
        w,
        nickname,
        group: Number(await w.page.locator('#my-group').textContent()),
        coordinator: /You are node A\b/.test((await w.page.locator('#status').textContent()) ?? ''),
      })),
    );
    for (const g of [1, 2, 3]) {
      expect(seats.filter((s) => s.group === g)).toHaveLength(4);
      expect(seats.filter((s) => s.group === g && s.coordinator)).toHaveLength(1);
    }

    // Every group paused at once. A paused clock still lets the coordinators send their PREPAREs.
    await teacher.page.click('#control-pause');
    await teacher.page.waitForSelector('#status:has-text("paused")');
    for (const s of seats.filter((x) => x.coordinator)) {
      const prepare = s.w.page.locator('#moves button[data-action="prepare"]').first();
      await prepare.waitFor({ timeout: 30_000 });
      await prepare.click();
      await s.w.page.waitForSelector('#log-list li:has-text("PREPARE")', { timeout: 15_000 });
    }

    // One click crashes every coordinator: the same seat in every group.
    await teacher.page.click('button[data-node="0"]');
    await teacher.page.click('#crash');
    await teacher.page.waitForSelector('tr[data-node-row="0"]:has-text("CRASHED")');
    for (const s of seats.filter((x) => x.coordinator)) await s.w.page.waitForSelector('#status:has-text("crashed"), #my-state:has-text("CRASHED")', { timeout: 15_000 });

    // The clock runs again until every participant has the PREPARE; then, paused, they vote YES into the void.
    await teacher.page.click('#control-resume');
    for (const s of seats.filter((x) => !x.coordinator)) await s.w.page.waitForSelector('ul.inbox button.msg', { timeout: 30_000 });
    await teacher.page.click('#control-pause');
    await teacher.page.waitForSelector('#status:has-text("paused")');
    for (const s of seats.filter((x) => !x.coordinator)) {
      // Opening the PREPARE offers the answers, YES first.
      await s.w.page.focus('ul.inbox button.msg');
      await s.w.page.keyboard.press('Enter');
      await s.w.page.waitForSelector('ul.inbox button.msg[aria-expanded="true"]:focus');
      await s.w.page.keyboard.press('Tab');
      await expect(s.w.page.evaluate(() => (document.activeElement as HTMLElement).textContent)).resolves.toMatch(/YES/i);
      await s.w.page.keyboard.press('Enter');
      await s.w.page.waitForSelector('#my-state li:has-text("voted YES"), #my-node:has-text("YES")', { timeout: 15_000 });
    }
    await teacher.page.click('#control-resume');
    await students[0]!.w.page.evaluate(() => window.scrollTo(0, 0));
    await shot(students[0]!.w.page, 'class-student-phone.png');
    await projector.keyboard.press('g');
    await projector.waitForSelector('#projector-grid [data-key="card-3"]');
    await shot(projector, 'class-projector-grid.png');
    // Doubt lasts: let it be felt for a while, then end every group's round.
    await teacher.page.waitForTimeout(3000);
    await teacher.page.click('#control-end');

    // The reveal compares the groups, for the instructor, the projector and each student.
    await teacher.page.waitForSelector('#reveal-comparison');
    const comparison = (await teacher.page.locator('#reveal-comparison').textContent())!;
    expect(comparison).toContain('Groups 1, 2 and 3 decided nothing');
    for (const g of [1, 2, 3]) expect(comparison).toMatch(new RegExp(`In group ${g}, the coordinator's crash left [^.]* blocked in doubt for \\d+ ticks`));
    await projector.waitForSelector('#projector-comparison');
    await shot(projector, 'class-group-comparison.png');
    await shot(teacher.page, 'class-instructor-reveal.png');
    for (const s of seats) {
      await s.w.page.waitForSelector('#your-results #comparison');
      await s.w.page.waitForSelector('#report-line');
      // Their own line, and nobody else's.
      const line = (await s.w.page.locator('#your-results').textContent())!;
      for (const other of NICKNAMES) if (other !== s.nickname) expect(line).not.toContain(other);
    }

    // The class report, downloaded as CSV: a line per student with their group and moves.
    await teacher.page.waitForSelector('#report-csv:not([disabled])');
    const [download] = await Promise.all([teacher.page.waitForEvent('download'), teacher.page.click('#report-csv')]);
    expect(download.suggestedFilename()).toBe(`quorum-${code}-report.csv`);
    const path = join(RESULTS, `class-${code}-report.csv`);
    await download.saveAs(path);
    const [header, ...rows] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
    const columns = header!.split(',');
    expect(columns).toEqual(expect.arrayContaining(['nickname', 'rounds played', 'groups', 'moves', 'moves by the rules']));
    expect(rows).toHaveLength(12);
    const byName = new Map(rows.map((r) => [r.split(',')[columns.indexOf('nickname')]!, r.split(',')]));
    expect([...byName.keys()].sort()).toEqual([...NICKNAMES].sort());
    for (const s of seats) {
      const row = byName.get(s.nickname)!;
      expect(row[columns.indexOf('groups')]).toBe(String(s.group));
      expect(row[columns.indexOf('rounds played')]).toBe('1');
      // A coordinator sent one PREPARE; a participant cast one vote: each a move by the rules.
      expect(row[columns.indexOf('moves')]).toBe('1');
      expect(row[columns.indexOf('moves by the rules')]).toBe('1');
    }

    expect(projectorErrors).toEqual([]);
    for (const w of [teacher, ...students.map((s) => s.w)]) expect(w.errors).toEqual([]);
  }, 600_000);
});

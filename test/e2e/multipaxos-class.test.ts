/**
 * A class round of Multi-Paxos in a real browser: the instructor hosts with the projector open, two
 * students join (Ada on a phone holds A, Grace on a laptop holds B) and bots hold C, D and E. Ada runs
 * for leader and puts one request in slot 1; it is chosen. The instructor crashes A from the fault
 * controls; B, first in the order of names after A, runs for leader once its leader timer fires and
 * wins, and the log goes on with the requests A left behind. Each stage is asserted from what the
 * pages show (the projector's and the instructor's grid with its leader column, the students' own
 * logs and leader line) and photographed: test-results/multipaxos-class-*.png.
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
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

function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: join(RESULTS, `multipaxos-class-${name}.png`) });
}

async function ready(page: Page): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
}

/**
 * One move a student makes through their page, pressed with one click inside it: an answer to an
 * open message (promise, accept or refuse), else opening a message that waits, else one of the
 * moves of `kinds` in the order given. Returns what was pressed, or null.
 */
function pressOne(page: Page, kinds: readonly string[]): Promise<string | null> {
  return page.evaluate((moves) => {
    const answer = document.querySelector<HTMLButtonElement>(
      ['promise', 'accept', 'refuse'].map((k) => `ul.inbox .answers button[data-action="${k}"]:not([disabled])`).join(', '),
    );
    if (answer) {
      answer.click();
      return `answer: ${answer.textContent}`;
    }
    const waiting = document.querySelector<HTMLButtonElement>('ul.inbox button.msg[aria-expanded="false"]');
    if (waiting) {
      waiting.click();
      return 'open';
    }
    for (const kind of moves) {
      const move = document.querySelector<HTMLButtonElement>(`#moves button[data-action="${kind}"]:not([disabled])`);
      if (move) {
        move.click();
        return `${kind}: ${move.textContent}`;
      }
    }
    return null;
  }, kinds);
}

/** Something a student could press now: a message in the inbox, or a move of `kinds`. */
const SOMETHING = (kinds: readonly string[]): boolean =>
  document.querySelector('ul.inbox button.msg') !== null || kinds.some((k) => document.querySelector(`#moves button[data-action="${k}"]:not([disabled])`) !== null);

/**
 * A student who plays along until `stop()`: answers every message, and makes the moves `kinds()`
 * allows now. It waits on the page for something to press, never on time alone.
 */
function player(w: WatchedPage, kinds: () => readonly string[], stop: () => boolean, pressed: string[]): Promise<void> {
  return (async () => {
    while (!stop()) {
      const allowed = kinds();
      const some = await w.page
        .waitForFunction(SOMETHING, allowed, { timeout: 1_000 })
        .then(() => true)
        .catch(() => false);
      if (!some || stop()) continue;
      const did = await pressOne(w.page, allowed).catch(() => null);
      if (did) pressed.push(did);
      // The move is sent: wait until the page has taken it in (no move of ours in flight) before the next.
      await w.page.waitForFunction(() => (window as unknown as { quorum: { app: { pendingSeq: number | null } } }).quorum.app.pendingSeq === null, undefined, { timeout: 5_000 }).catch(() => undefined);
    }
  })();
}

/**
 * Every node's label on the projector's canvas reads whole: no line cut short or left out ("…"), and
 * no "you", which only a node's own player may read.
 */
async function labelsWhole(page: Page): Promise<void> {
  const labels = await page.evaluate(() => {
    const game = (window as unknown as { quorum: { game(): { scene: { getScene(k: string): { drawnLayout(): { labels: { node: number; text: string }[] } } } } } }).quorum.game();
    return game.scene.getScene('Round').drawnLayout().labels;
  });
  expect(labels.length).toBe(5);
  for (const l of labels) {
    expect(l.text, `node ${'ABCDE'[l.node]}'s label`).not.toContain('…');
    expect(l.text).not.toMatch(/\byou\b/);
  }
}

/** The leader column of a grid of logs, row by row (node letter to the leader it believes in). */
async function leaders(page: Page, grid: string): Promise<Record<string, string>> {
  return page.evaluate((sel) => {
    const out: Record<string, string> = {};
    for (const row of document.querySelectorAll(`${sel} tbody tr[data-node]`)) {
      out['ABCDEFGHI'[Number(row.getAttribute('data-node'))]!] = row.querySelector('td.log-leader')?.textContent?.trim() ?? '';
    }
    return out;
  }, grid);
}

/** Waits until the grid shows a slot chosen or applied at every live node named. */
function slotChosen(page: Page, grid: string, slot: number, nodes: readonly number[]): Promise<unknown> {
  return page.waitForFunction(
    ({ sel, s, ns }) => ns.every((n) => /^(chosen|applied)$/.test(document.querySelector(`${sel} tbody tr[data-node="${n}"] td[data-slot="${s}"]`)?.getAttribute('data-state') ?? '')),
    { sel: grid, s: slot, ns: nodes },
    { timeout: 90_000 },
  );
}

describe('a class plays Multi-Paxos', () => {
  it('elects A, chooses a slot, loses A to the instructor\'s crash, elects B and goes on with the log, as every page shows', async () => {
    const teacher = await openPage(harness.browser, harness.url, { width: 1400, height: 900 });
    pages.push(teacher);
    await ready(teacher.page);
    await teacher.page.fill('#host-title', 'Paxos with a leader');
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

    const join = async (nickname: string, phone: boolean): Promise<WatchedPage> => {
      const w = await openPage(harness.browser, `${harness.url}/join/${code}`, phone ? { width: 390, height: 844 } : { width: 1280, height: 860 }, phone ? PHONE : {});
      pages.push(w);
      await ready(w.page);
      await w.page.fill('#join-nickname', nickname);
      await w.page.click('#join-class');
      await w.page.waitForSelector('#status:has-text("You are node")');
      return w;
    };
    const ada = await join('Ada', true);
    const grace = await join('Grace', false);
    await teacher.page.waitForSelector('#roster-table tbody tr:nth-child(2)');
    await expect(teacher.page.locator('#roster-table').textContent()).resolves.toMatch(/Ada.*A.*Grace.*B/s);

    // Multi-Paxos on five nodes, the ranked election: A's turn comes first, then B's.
    await teacher.page.selectOption('#setup-protocol', 'multipaxos');
    await teacher.page.selectOption('#setup-nodes', '5');
    await teacher.page.waitForSelector('#setup-election');
    await teacher.page.selectOption('#setup-election', 'ranked');
    await teacher.page.click('#start-round');
    await teacher.page.waitForSelector('#dashboard:not([hidden]) #god-nodes');
    await expect(teacher.page.locator('#status').textContent()).resolves.toContain('Multi-Paxos, 5 nodes');

    // Nobody leads at the start, and nobody may run yet: each leader timer runs a whole timeout first.
    await ada.page.waitForSelector('#my-timers li[data-timer="leader"]', { timeout: 15_000 });
    const start = await ada.page.evaluate(() => ({
      tick: Number(document.getElementById('tick')?.textContent),
      timer: document.querySelector('#my-timers li[data-timer="leader"]')?.textContent ?? '',
      run: document.querySelector('#moves button[data-action="elect"]') !== null,
    }));
    expect(start.timer).toMatch(/^Your leader timer fires (in \d+ ticks?|now): then you suspect that no leader is coming\.$/);
    // Unless the page came so late that the timer fired already (it runs for the round's timeout), it offers no run.
    if (!start.timer.includes('fires now')) expect(start.run).toBe(false);

    // The students play through their pages: Ada runs for leader and, leading, puts one request in
    // slot 1 and holds the rest back; Grace answers, and runs for leader once A has crashed.
    let crashed = false;
    let done = false;
    const adaPressed: string[] = [];
    const gracePressed: string[] = [];
    const adaPlays = player(ada, () => (adaPressed.some((p) => p.startsWith('propose')) ? ['elect'] : ['elect', 'propose']), () => done || crashed, adaPressed);
    const gracePlays = player(grace, () => (crashed ? ['elect', 'propose'] : []), () => done, gracePressed);

    // The projector shows the one group's round: its canvas and its grid of logs.
    await projector.waitForSelector('#projector-group:not([disabled])', { timeout: 30_000 });
    await projector.$eval('#projector-group', (b) => (b as HTMLButtonElement).click());
    await projector.waitForSelector('#projector-group[aria-pressed="true"]');

    try {
      // 1. A leads: every node's row on the projector's grid names A, and slot 1 is chosen everywhere.
      await projector.waitForFunction(
        () => [...document.querySelectorAll('#projector-logs tbody tr[data-node]')].length === 5 && [...document.querySelectorAll('#projector-logs tbody tr[data-node] td.log-leader')].every((td) => td.textContent === 'A'),
        undefined,
        { timeout: 90_000 },
      );
      await slotChosen(projector, '#projector-logs', 0, [0, 1, 2, 3, 4]);
      await ada.page.waitForSelector('#my-leader:has-text("You believe you are the leader.")');
      await grace.page.waitForSelector('#my-leader:has-text("You believe the leader is A.")');
      await grace.page.waitForSelector('#my-log li[data-slot="0"][data-state="applied"]', { timeout: 30_000 });
      await teacher.page.waitForSelector('#log-grid tbody tr[data-node="4"] td.log-leader:has-text("A")');
      expect(adaPressed.filter((p) => p.startsWith('elect'))).toHaveLength(1);
      expect(adaPressed.filter((p) => p.startsWith('propose'))).toHaveLength(1);
      const slot1 = (await grace.page.locator('#my-log li[data-slot="0"]').textContent())!;
      await labelsWhole(projector);
      await shot(projector, '1-leader-projector');
      await shot(teacher.page, '1-leader-instructor');
      await ada.page.locator('#my-leader').evaluate((e) => e.scrollIntoView({ block: 'center' }));
      await shot(ada.page, '1-leader-student-phone');
      await shot(grace.page, '1-leader-student');

      // 2. The instructor crashes A with the fault controls: the grid and Ada's page say so.
      crashed = true;
      await adaPlays;
      await teacher.page.$eval('button[data-node="0"]', (b) => (b as HTMLButtonElement).click());
      await teacher.page.waitForSelector('#crash:not([disabled]):has-text("Crash A")');
      await teacher.page.$eval('#crash', (b) => (b as HTMLButtonElement).click());
      await teacher.page.waitForSelector('tr[data-node-row="0"]:has-text("CRASHED")');
      await projector.waitForSelector('#projector-logs tbody tr[data-node="0"].crashed');
      await ada.page.waitForSelector('#status:has-text("crashed"), #my-state:has-text("CRASHED")', { timeout: 15_000 });
      await shot(projector, '2-crashed-projector');
      await shot(teacher.page, '2-crashed-instructor');
      await ada.page.evaluate(() => window.scrollTo(0, 0));
      await shot(ada.page, '2-crashed-student-phone');

      // 3. B's leader timer fires, its turn comes first, Grace runs, and B wins: every live node believes in B.
      await grace.page.waitForSelector('#my-leader:has-text("You believe you are the leader.")', { timeout: 90_000 });
      expect(gracePressed.filter((p) => p.startsWith('elect'))).toHaveLength(1);
      await projector.waitForFunction(
        () => [1, 2, 3, 4].every((n) => document.querySelector(`#projector-logs tbody tr[data-node="${n}"] td.log-leader`)?.textContent === 'B'),
        undefined,
        { timeout: 60_000 },
      );
      const after = await leaders(projector, '#projector-logs');
      expect(after).toMatchObject({ B: 'B', C: 'B', D: 'B', E: 'B' });
      // A's row keeps what its disk holds, and no leader: a crashed node believes in none.
      expect(after.A).toBe('–');
      await teacher.page.waitForSelector('#log-grid tbody tr[data-node="2"] td.log-leader:has-text("B")');
      await shot(projector, '3-new-leader-projector');
      await shot(teacher.page, '3-new-leader-instructor');
      await shot(grace.page, '3-new-leader-student');

      // 4. The log goes on: the request A left behind is chosen in slot 2 under B's ballot, slot 1 keeps
      // what it held, and with every request in the log the round ends and the projector shows the results.
      await grace.page.waitForSelector('#my-log li[data-slot="1"][data-state="applied"]', { timeout: 60_000 });
      await expect(grace.page.locator('#my-log li[data-slot="0"]').textContent()).resolves.toBe(slot1);
      expect(gracePressed.filter((p) => p.startsWith('propose')).length).toBeGreaterThanOrEqual(1);
      await grace.page.locator('#my-log').evaluate((e) => e.scrollIntoView({ block: 'center' }));
      await shot(grace.page, '4-log-goes-on-student');
      await projector.waitForSelector('#projector-results[aria-pressed="true"]', { timeout: 60_000 });
      await shot(projector, '4-log-goes-on-projector-results');
      // From the results, the group's canvas and grid: all groups first (G), then the one group.
      await projector.$eval('#projector-grid', (b) => (b as HTMLButtonElement).click());
      await projector.waitForSelector('#projector-grid[aria-pressed="true"]');
      await projector.$eval('#projector-group', (b) => (b as HTMLButtonElement).click());
      await projector.waitForSelector('#projector-group[aria-pressed="true"]');
      await slotChosen(projector, '#projector-logs', 1, [1, 2, 3, 4]);
      const marks = await projector.locator('#projector-logs tbody tr[data-node="1"] td[data-slot="1"] .log-mark').allTextContents();
      expect(marks).toEqual([expect.stringMatching(/^\d+\.B$/)]);
      await expect(projector.locator('#projector-logs tbody tr[data-node="0"] td[data-slot="1"]').getAttribute('data-state')).resolves.toBe('empty');
      await projector.locator('#projector-logs').evaluate((e) => e.scrollIntoView({ block: 'center' }));
      await shot(projector, '4-log-goes-on-projector');
      await labelsWhole(projector);
      await teacher.page.waitForSelector('#log-grid tbody tr[data-node="4"] td[data-slot="1"][data-state="applied"]', { timeout: 30_000 });
      await shot(teacher.page, '4-log-goes-on-instructor');
      await shot(ada.page, '4-log-goes-on-student-phone');
    } catch (e) {
      // What each page showed when the round did not go as it should.
      for (const [page, name] of [[projector, 'projector'], [teacher.page, 'instructor'], [ada.page, 'student-phone'], [grace.page, 'student']] as const) await shot(page, `failed-${name}`).catch(() => undefined);
      throw new Error(`${(e as Error).message}\nAda pressed: ${adaPressed.join(' | ')}\nGrace pressed: ${gracePressed.join(' | ')}\nprojector leaders: ${JSON.stringify(await leaders(projector, '#projector-logs').catch(() => null))}`);
    } finally {
      done = true;
      crashed = true;
      await Promise.all([adaPlays, gracePlays]);
    }

    expect(projectorErrors).toEqual([]);
    for (const w of [teacher, ada, grace]) expect(w.errors).toEqual([]);
  }, 420_000);
});

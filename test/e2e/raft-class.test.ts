/**
 * A class round of Raft in a real browser: the instructor hosts with the projector open, two students
 * join (Ada on a phone holds A, Grace on a laptop holds B) and bots hold C, D and E. Grace plays Raft
 * in full: she answers every message, stands for election when her election timer fires, and leads
 * if she wins. Ada never stands, and answers her messages a step behind: the newest waits in her
 * inbox until the last stage, so that the round stays open while the instructor works the faults
 * (a round ends once every live server applied the whole log and nothing waits in any inbox).
 * A leader is elected and entries are committed; the instructor crashes the leader from the fault
 * controls and a new leader of a later term is elected; the old leader recovers as a follower; the
 * instructor cuts A and the old leader off, and a request proposed to the leader is committed on the
 * majority side while the minority's logs go without it; then the instructor heals the partition, the
 * minority catches up, and the round ends. Which server wins each election is chance: the test reads
 * it from the pages and chooses its faults by it. Each stage is asserted from what the pages show (the
 * grids' leader column and term marks, the instructor's node table, the students' leader lines and
 * logs) and photographed: test-results/raft-class-*.png. Every wait names its stage when it fails.
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildClient, openPage, PHONE, RESULTS, shownText, startHarness, waitShown, waitStage, type Harness, type WatchedPage } from './harness';

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

const LETTERS = 'ABCDEFGHI';

function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: join(RESULTS, `raft-class-${name}.png`) });
}

async function ready(page: Page): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
}

const ANSWERS = ['grant', 'accept', 'refuse'];

/**
 * One move a student makes through their page, pressed with one click inside it. `lag` leaves the
 * newest message unanswered: only when two or more wait is the oldest opened and answered. Else an
 * open message's answer, else opening the newest message, else the first of `kinds` among the moves.
 */
function pressOne(page: Page, kinds: readonly string[], lag: boolean): Promise<string | null> {
  return page.evaluate(
    ({ moves, lag, answers }) => {
      const items = [...document.querySelectorAll<HTMLLIElement>('ul.inbox > li')];
      const pick = lag ? (items.length >= 2 ? items[items.length - 1] : undefined) : items.find((li) => li.querySelector('.answers')) ?? items[0];
      if (pick) {
        const answer = pick.querySelector<HTMLButtonElement>(answers.map((k) => `.answers button[data-action="${k}"]:not([disabled])`).join(', '));
        if (answer) {
          answer.click();
          return `answer: ${answer.textContent}`;
        }
        const msg = pick.querySelector<HTMLButtonElement>('button.msg[aria-expanded="false"]');
        if (msg) {
          msg.click();
          return 'open';
        }
      }
      for (const kind of moves) {
        const move = document.querySelector<HTMLButtonElement>(`#moves button[data-action="${kind}"]:not([disabled])`);
        if (move) {
          move.click();
          return `${kind}: ${move.textContent}`;
        }
      }
      return null;
    },
    { moves: kinds, lag, answers: ANSWERS },
  );
}

/** Something a student could press now. */
const SOMETHING = ({ kinds, lag }: { kinds: readonly string[]; lag: boolean }): boolean =>
  document.querySelectorAll('ul.inbox > li').length >= (lag ? 2 : 1) || kinds.some((k) => document.querySelector(`#moves button[data-action="${k}"]:not([disabled])`) !== null);

/** A student who plays until `stop()`, waiting on the page for something to press, never on time alone. */
function player(w: WatchedPage, kinds: readonly string[], lag: () => boolean, stop: () => boolean, pressed: string[]): Promise<void> {
  return (async () => {
    while (!stop()) {
      const arg = { kinds, lag: lag() };
      const some = await w.page
        .waitForFunction(SOMETHING, arg, { timeout: 1_000 })
        .then(() => true)
        .catch(() => false);
      if (!some || stop()) continue;
      const did = await pressOne(w.page, kinds, arg.lag).catch(() => null);
      if (did) pressed.push(did);
      await w.page.waitForFunction(() => (window as unknown as { quorum: { app: { pendingSeq: number | null } } }).quorum.app.pendingSeq === null, undefined, { timeout: 5_000 }).catch(() => undefined);
    }
  })();
}

/** The leader column of a grid, node letter to the leader that node believes in ('–' for none). */
function leaders(page: Page, grid: string): Promise<Record<string, string>> {
  return page.evaluate(
    ({ sel, letters }) => {
      const out: Record<string, string> = {};
      for (const row of document.querySelectorAll(`${sel} tbody tr[data-node]`)) out[letters[Number(row.getAttribute('data-node'))]!] = row.querySelector('td.log-leader')?.textContent?.trim() ?? '';
      return out;
    },
    { sel: grid, letters: LETTERS },
  );
}

/** Each node's current term, as the instructor's node table shows it. */
function terms(page: Page): Promise<number[]> {
  return page.evaluate(() => [...document.querySelectorAll('#god-nodes tr[data-node-row]')].map((tr) => Number(/term (\d+)/.exec(tr.textContent ?? '')?.[1] ?? NaN)));
}

/** Waits until every node of `nodes` shows the same leader in the grid, not one of `not`, and returns it. */
function agreedLeader(page: Page, stage: string, grid: string, nodes: readonly number[], not: readonly string[]): Promise<string> {
  return waitStage(
    page,
    stage,
    ({ sel, ns, bad }) => {
      const seen = ns.map((n) => document.querySelector(`${sel} tbody tr[data-node="${n}"] td.log-leader`)?.textContent?.trim() ?? '');
      const first = seen[0]!;
      return /^[A-I]$/.test(first) && !bad.includes(first) && seen.every((s) => s === first) ? first : false;
    },
    { sel: grid, ns: nodes, bad: not },
    { timeout: 90_000, awaited: `one leader named by ${nodes.map((n) => LETTERS[n]).join(', ')}${not.length > 0 ? `, not ${not.join(' or ')}` : ''}`, shows: [grid] },
  ) as Promise<string>;
}

/** The values a node's row of the grid holds committed (chosen or applied), with their term marks. */
function committedRow(page: Page, grid: string, node: number): Promise<string[]> {
  return page.evaluate(
    ({ sel, n }) =>
      [...document.querySelectorAll(`${sel} tbody tr[data-node="${n}"] td[data-slot]`)]
        .filter((td) => /^(chosen|applied)$/.test(td.getAttribute('data-state') ?? ''))
        .map((td) => `${td.querySelector('.log-value')?.textContent ?? ''}@${td.querySelector('.log-mark')?.textContent ?? ''}`),
    { sel: grid, n: node },
  );
}

/** Waits until every node of `nodes` holds `value` committed in the grid. */
function committedAt(page: Page, stage: string, grid: string, value: string, nodes: readonly number[], timeout = 90_000): Promise<unknown> {
  return waitStage(
    page,
    stage,
    ({ sel, v, ns }) =>
      ns.every((n) =>
        [...document.querySelectorAll(`${sel} tbody tr[data-node="${n}"] td[data-slot]`)].some(
          (td) => /^(chosen|applied)$/.test(td.getAttribute('data-state') ?? '') && td.querySelector('.log-value')?.textContent === v,
        ),
      ),
    { sel: grid, v: value, ns: nodes },
    { timeout, awaited: `${value} committed at ${nodes.map((n) => LETTERS[n]).join(', ')}`, shows: [grid] },
  );
}

/** Presses a node's button in the instructor's fault controls (it toggles the node's selection). */
async function toggleNode(page: Page, stage: string, node: number): Promise<void> {
  const before = await page.getAttribute(`.nodes-pick button[data-node="${node}"]`, 'aria-pressed');
  await page.$eval(`.nodes-pick button[data-node="${node}"]`, (b) => (b as HTMLButtonElement).click());
  await waitShown(page, stage, `.nodes-pick button[data-node="${node}"][aria-pressed="${before === 'true' ? 'false' : 'true'}"]`, { shows: ['.nodes-pick'] });
}

/** Selects exactly `nodes` in the instructor's fault controls. */
async function selectOnly(page: Page, stage: string, nodes: readonly number[]): Promise<void> {
  for (let n = 0; n < 5; n++) {
    const on = (await page.getAttribute(`.nodes-pick button[data-node="${n}"]`, 'aria-pressed')) === 'true';
    if (on !== nodes.includes(n)) await toggleNode(page, stage, n);
  }
}

/** Presses a button of the instructor's with one click inside the page, once it reads `text` and is enabled. */
async function press(page: Page, stage: string, id: string, text?: string): Promise<void> {
  await waitShown(page, stage, `#${id}:not([disabled])${text ? `:has-text("${text}")` : ''}`, { shows: ['#status', `#${id}`] });
  await page.$eval(`#${id}`, (b) => (b as HTMLButtonElement).click());
}

describe('a class plays Raft', () => {
  it('elects a leader and commits, elects another of a later term after the instructor crashes it, and commits on the majority side of a partition only, as every page shows', async () => {
    const teacher = await openPage(harness.browser, harness.url, { width: 1400, height: 900 });
    pages.push(teacher);
    await ready(teacher.page);
    await teacher.page.fill('#host-title', 'Raft');
    await teacher.page.click('#host-class');
    await waitShown(teacher.page, 'hosting the class', '#join-code-display');
    const code = (await teacher.page.locator('#join-code-display').textContent())!.trim();

    const projector = await teacher.context.newPage();
    const projectorErrors: string[] = [];
    projector.on('console', (m) => void (m.type() === 'error' && projectorErrors.push(m.text())));
    projector.on('pageerror', (e) => void projectorErrors.push(e.message));
    await projector.setViewportSize({ width: 1600, height: 900 });
    await projector.goto(`${harness.url}/class/${code}/screen`);
    await waitShown(projector, 'opening the projector', '#projector-code');

    const join = async (nickname: string, phone: boolean): Promise<WatchedPage> => {
      const w = await openPage(harness.browser, `${harness.url}/join/${code}`, phone ? { width: 390, height: 844 } : { width: 1280, height: 860 }, phone ? PHONE : {});
      pages.push(w);
      await ready(w.page);
      await w.page.fill('#join-nickname', nickname);
      await w.page.click('#join-class');
      await waitShown(w.page, `${nickname} joining`, '#status:has-text("You are node")', { shows: ['#status'] });
      return w;
    };
    const ada = await join('Ada', true);
    const grace = await join('Grace', false);
    await waitShown(teacher.page, 'the roster', '#roster-table tbody tr:nth-child(2)', { shows: ['#roster-table'] });
    await expect(teacher.page.locator('#roster-table').textContent()).resolves.toMatch(/Ada.*A.*Grace.*B/s);

    await teacher.page.selectOption('#setup-protocol', 'raft');
    await teacher.page.selectOption('#setup-nodes', '5');
    await teacher.page.fill('#setup-decrees', 'X, Y, Z');
    await teacher.page.click('#start-round');
    await waitShown(teacher.page, 'starting the round', '#dashboard:not([hidden]) #god-nodes', { shows: ['#status'] });
    await expect(teacher.page.locator('#status').textContent()).resolves.toContain('Raft, 5 nodes');

    let done = false;
    let adaCatchesUp = false;
    const adaPressed: string[] = [];
    const gracePressed: string[] = [];
    const adaPlays = player(ada, [], () => !adaCatchesUp, () => done, adaPressed);
    const gracePlays = player(grace, ['commit', 'append', 'replicateAll', 'startElection'], () => false, () => done, gracePressed);

    await waitShown(projector, 'the projector showing the round', '#projector-group:not([disabled])', { shows: ['header'] });
    await projector.$eval('#projector-group', (b) => (b as HTMLButtonElement).click());
    await waitShown(projector, 'the projector showing the group', '#projector-group[aria-pressed="true"]', { shows: ['header'] });

    const all = [0, 1, 2, 3, 4];
    const grid = '#projector-logs';
    const started = Date.now();
    const timeline: string[] = [];
    const passed = (stage: string): void => void timeline.push(`${stage} at ${((Date.now() - started) / 1000).toFixed(1)} s`);
    let stage = '1. the first election';
    try {
      // 1. A leader is elected: every row of the projector's grid names it; X, Y and Z are committed at a majority.
      const first = await agreedLeader(projector, stage, grid, all, []);
      const firstId = LETTERS.indexOf(first);
      expect(first).not.toBe('A'); // Ada never stands for election
      passed(`${stage} (${first})`);
      stage = `1. X, Y and Z committed by ${first} and a majority`;
      await waitStage(
        projector,
        stage,
        ({ sel, leader }) => {
          const rows = [...document.querySelectorAll(`${sel} tbody tr[data-node]`)];
          const holds = (row: Element, v: string): boolean => [...row.querySelectorAll('td[data-slot]')].some((td) => /^(chosen|applied)$/.test(td.getAttribute('data-state') ?? '') && td.querySelector('.log-value')?.textContent === v);
          const leaderRow = rows.find((r) => r.getAttribute('data-node') === String(leader));
          return leaderRow !== undefined && ['X', 'Y', 'Z'].every((v) => holds(leaderRow, v) && rows.filter((r) => holds(r, v)).length >= 3);
        },
        { sel: grid, leader: firstId },
        { timeout: 90_000, awaited: `X, Y and Z committed in ${first}'s row and two more`, shows: [grid] },
      );
      passed(stage);
      const leaderLog = await committedRow(projector, grid, firstId);
      const firstTerm = (await terms(teacher.page))[firstId]!;
      expect(firstTerm).toBeGreaterThanOrEqual(1);
      // Every committed entry carries the term it was appended in: the first leader's own, or an earlier
      // term's whose leader appended it before it lost its lead (the first leader then committed it through its own).
      const committed = leaderLog.filter((e) => /^[XYZ]@/.test(e)).sort();
      expect(committed.map((e) => e[0])).toEqual(['X', 'Y', 'Z']);
      for (const e of committed) {
        const term = Number(/@t(\d+)$/.exec(e)![1]);
        expect(term).toBeGreaterThanOrEqual(1);
        expect(term).toBeLessThanOrEqual(firstTerm);
      }
      stage = '1. every page names the first leader';
      await waitShown(ada.page, stage, `#my-leader:has-text("You believe the leader is ${first}.")`, { shows: ['#my-leader'] });
      await waitShown(teacher.page, stage, `#log-grid tbody tr[data-node="${firstId}"] td.log-leader:has-text("${first}")`, { shows: ['#log-grid'] });
      await waitShown(teacher.page, stage, `#god-nodes tr[data-node-row="${firstId}"]:has-text("leader of term ${firstTerm}")`, { shows: ['#god-nodes'] });
      await expect(ada.page.locator('#my-state').textContent()).resolves.toMatch(/term \d+/);
      passed(stage);
      await shot(projector, '1-leader-projector');
      await shot(teacher.page, '1-leader-instructor');
      await ada.page.locator('#my-leader').evaluate((e) => e.scrollIntoView({ block: 'center' }));
      await shot(ada.page, '1-leader-student-phone');
      await shot(grace.page, '1-leader-student');

      // 2. The instructor crashes the leader: the grid marks its row crashed, with no leader.
      stage = `2. the instructor crashes ${first}`;
      await selectOnly(teacher.page, stage, [firstId]);
      await press(teacher.page, stage, 'crash', `Crash ${first}`);
      await waitShown(teacher.page, stage, `tr[data-node-row="${firstId}"]:has-text("CRASHED")`, { shows: ['#god-nodes'] });
      await waitShown(projector, stage, `${grid} tbody tr[data-node="${firstId}"].crashed`, { shows: [grid] });
      passed(stage);
      await shot(projector, '2-crashed-projector');
      await shot(teacher.page, '2-crashed-instructor');

      // 3. A follower's election timer fires; it stands in a later term and wins: every live node believes in it.
      stage = `3. the election after ${first}'s crash`;
      const live = all.filter((n) => n !== firstId);
      const second = await agreedLeader(projector, stage, grid, live, [first, 'A']);
      const secondId = LETTERS.indexOf(second);
      passed(`${stage} (${second})`);
      stage = `3. every page names ${second}, the new leader`;
      await waitShown(teacher.page, stage, `#god-nodes tr[data-node-row="${secondId}"]:has-text("leader of term")`, { shows: ['#god-nodes'] });
      const secondTerm = (await terms(teacher.page))[secondId]!;
      expect(secondTerm).toBeGreaterThan(firstTerm);
      await expect(leaders(projector, grid)).resolves.toMatchObject({ [first]: '–' });
      await waitShown(ada.page, stage, `#my-leader:has-text("You believe the leader is ${second}.")`, { shows: ['#my-leader'] });
      if (secondId === 1) await waitShown(grace.page, stage, '#my-leader:has-text("You believe you are the leader.")', { shows: ['#my-leader'] });
      else if (firstId !== 1) await waitShown(grace.page, stage, `#my-leader:has-text("You believe the leader is ${second}.")`, { shows: ['#my-leader'] });
      // The new leader's log keeps every committed entry (Leader Completeness), with the term it was appended in.
      const kept = await committedRow(projector, grid, secondId);
      for (const e of committed) expect(kept).toContain(e);
      passed(stage);
      await shot(projector, '3-new-leader-projector');
      await shot(teacher.page, '3-new-leader-instructor');
      await ada.page.locator('#my-leader').evaluate((e) => e.scrollIntoView({ block: 'center' }));
      await shot(ada.page, '3-new-leader-student-phone');
      await shot(grace.page, '3-new-leader-student');

      // 4. The old leader recovers, and learns the new term as a follower of the new leader.
      stage = `4. ${first} recovers as a follower of ${second}`;
      await press(teacher.page, stage, 'recover', `Recover ${first}`);
      await waitShown(projector, stage, `${grid} tbody tr[data-node="${firstId}"] td.log-leader:has-text("${second}")`, { timeout: 60_000, shows: [grid] });
      passed(stage);

      // 5. The instructor cuts A and the old leader off: a minority of two, without the leader (the one
      // every row names now). A request proposed to the leader is committed on the majority side, and
      // the minority's logs go without it.
      stage = '5. the leader before the partition';
      const leader = await agreedLeader(projector, stage, grid, all, ['A']);
      const leaderId = LETTERS.indexOf(leader);
      await waitShown(teacher.page, stage, `#god-nodes tr[data-node-row="${leaderId}"]:has-text("leader of term")`, { shows: ['#god-nodes'] });
      const leaderTerm = (await terms(teacher.page))[leaderId]!;
      expect(leaderTerm).toBeGreaterThanOrEqual(secondTerm);
      // Should the old leader lead again, another follower goes with A instead.
      const minority = [0, leaderId !== firstId ? firstId : all.find((n) => n !== 0 && n !== leaderId)!].sort();
      const majority = all.filter((n) => !minority.includes(n));
      const cut = minority.map((n) => LETTERS[n]).join('');
      stage = `5. the instructor cuts ${cut} off`;
      await selectOnly(teacher.page, stage, minority);
      await press(teacher.page, stage, 'partition', `Cut ${cut} off`);
      await waitShown(teacher.page, stage, '#heal:not([disabled])', { shows: ['#status'] });
      passed(stage);
      stage = `5. P proposed to ${leader} and committed on the majority side`;
      await selectOnly(teacher.page, stage, [leaderId]);
      await teacher.page.fill('#propose-decree', 'P');
      await expect(teacher.page.inputValue('#propose-decree')).resolves.toBe('P');
      await press(teacher.page, stage, 'propose');
      await committedAt(projector, stage, grid, 'P', majority);
      const minorityLogs = await Promise.all(minority.map((n) => committedRow(projector, grid, n)));
      for (const log of minorityLogs) expect(log.some((e) => e.startsWith('P@'))).toBe(false);
      const majorityLog = await committedRow(projector, grid, leaderId);
      expect(majorityLog).toContain(`P@t${leaderTerm}`);
      await waitShown(teacher.page, stage, `#log-grid tbody tr[data-node="${leaderId}"] td[data-slot] .log-value:has-text("P")`, { shows: ['#log-grid'] });
      passed(stage);
      await shot(projector, '5-partition-projector');
      await shot(teacher.page, '5-partition-instructor');
      await ada.page.locator('#my-log').evaluate((e) => e.scrollIntoView({ block: 'center' }));
      await shot(ada.page, '5-partition-student-phone');
      await shot(grace.page, '5-partition-student');

      // 6. Heal: the minority hears from the majority again and takes P, and Ada answers what waits.
      // Once every server has applied the whole log and nothing waits in any inbox, the round ends
      // and the projector turns to the results. That may happen in the very step in which the last
      // server applies P, and then the projector never draws its grid with P in every row: so the
      // test waits for the end, a state that stays, and reads the group's final grid after it.
      stage = '6. the heal';
      await press(teacher.page, stage, 'heal');
      await waitShown(teacher.page, stage, '#heal[disabled]', { shows: ['#status'] });
      adaCatchesUp = true;
      passed(stage);
      stage = '6. the round ends after the heal';
      await waitShown(projector, stage, '#projector-results[aria-pressed="true"]', { timeout: 90_000, shows: ['header', grid] });
      passed(stage);
      await shot(projector, '6-ended-projector-results');
      stage = '6. P committed everywhere in the final grid';
      await projector.$eval('#projector-grid', (b) => (b as HTMLButtonElement).click());
      await waitShown(projector, stage, '#projector-grid[aria-pressed="true"]', { shows: ['header'] });
      await projector.$eval('#projector-group', (b) => (b as HTMLButtonElement).click());
      await waitShown(projector, stage, '#projector-group[aria-pressed="true"]', { shows: ['header'] });
      await committedAt(projector, stage, grid, 'P', all, 30_000);
      await committedAt(teacher.page, stage, '#log-grid', 'P', all, 30_000);
      await waitShown(ada.page, stage, '#my-log li[data-state="applied"]:has-text("P")', { shows: ['#my-log'] });
      passed(stage);
      // The ended round's reveal stands beside the canvas, its grid of logs below it: the side panel scrolls to the grid.
      await projector.$eval(grid, (g) => {
        const side = g.closest('.pj-side');
        if (side) side.scrollTop += g.getBoundingClientRect().top - side.getBoundingClientRect().top;
      });
      await shot(projector, '6-healed-projector');
      await shot(teacher.page, '6-healed-instructor');
      await ada.page.locator('#my-log').evaluate((e) => e.scrollIntoView({ block: 'center' }));
      await shot(ada.page, '6-healed-student-phone');
      await shot(grace.page, '6-healed-student');
    } catch (e) {
      for (const [page, name] of [[projector, 'projector'], [teacher.page, 'instructor'], [ada.page, 'student-phone'], [grace.page, 'student']] as const) await shot(page, `failed-${name}`).catch(() => undefined);
      // A failed wait names its stage; a failed expectation is named here.
      const message = (e as Error).message;
      throw new Error(
        [
          message.startsWith(stage) ? message : `${stage}: ${message}`,
          `stages passed: ${timeline.join('; ') || 'none'}`,
          `instructor's status: ${await shownText(teacher.page, '#status')}`,
          `instructor's nodes: ${await shownText(teacher.page, '#god-nodes', 3_000)}`,
          `Ada's inbox: ${await shownText(ada.page, '#inbox')}`,
          `Ada pressed: ${adaPressed.join(' | ')}`,
          `Grace pressed: ${gracePressed.join(' | ')}`,
        ].join('\n'),
      );
    } finally {
      done = true;
      await Promise.all([adaPlays, gracePlays]);
    }

    expect(projectorErrors).toEqual([]);
    for (const w of [teacher, ada, grace]) expect(w.errors).toEqual([]);
  }, 420_000);
});

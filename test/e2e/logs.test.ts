/**
 * Replicated logs in a real browser: a solo round of majority vote, slot by slot, where the player's
 * node draws its log as a strip on the canvas and lists it in words (and sees no other node's log),
 * then the reveal, where every node's strip and the god view's grid show each slot's state and
 * commit point; the same round's replay; and nine nodes with long logs on a laptop and on a phone.
 * Screenshots: test-results/log-strip-*.png.
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildClient, openPage, PHONE, RESULTS, startHarness, type Harness } from './harness';
import { createWorld, makeConfig } from '../../shared/engine/world';
import { godView, type GodView } from '../../shared/engine/view';
import type { CommitPoint } from '../../shared/engine/types';
import { protocolFor } from '../../shared/protocols';
import type { LogCell } from '../../shared/engine/protocol';
import type { GroupsMessage, RoundInfo } from '../../shared/wire/messages';
import { learnedAny } from '../../shared/protocols/common';
import { playClassRound, type ClassRound } from '../results/helpers';

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

interface DrawnStrip {
  node: number;
  earlier: number;
  cells: { slot: number; state: string; text: string; x: number; y: number; width: number; height: number }[];
}
interface Drawn {
  width: number;
  height: number;
  labels: { node: number; x: number; y: number; width: number; height: number }[];
  strips: DrawnStrip[];
}

/** What the round scene drew last. */
function drawn(page: Page): Promise<Drawn> {
  return page.evaluate(() => {
    const game = (window as unknown as { quorum: { game(): { scene: { getScene(k: string): { drawnLayout(): unknown } } } } }).quorum.game();
    return game.scene.getScene('Round').drawnLayout() as Drawn;
  });
}

/** The god view a finished round's reveal brought, as the page holds it. */
function revealedGod(page: Page): Promise<{ god: GodView; commitPoints: CommitPoint[] }> {
  return page.evaluate(() => {
    const app = (window as unknown as { quorum: { app: { reveal: { god: unknown; commitPoints: unknown } } } }).quorum.app;
    return JSON.parse(JSON.stringify({ god: app.reveal.god, commitPoints: app.reveal.commitPoints }));
  });
}

/** The cells votelog's presentation gives each node of a god view: what the strips and the grid must show. */
function expectedCells(god: GodView): LogCell[][] {
  const votelog = protocolFor('votelog');
  return god.nodes.map((n) => votelog.present.log!.cells({ role: n.role, crashed: n.crashed, durable: n.durable, volatile: n.volatile, timers: n.timers, learned: n.learned }));
}

async function soloVotelog(page: Page, nodes: number): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  await page.selectOption('#solo-protocol', 'votelog');
  await page.selectOption('#solo-nodes', String(nodes));
  await page.$eval('#play-solo', (b) => (b as HTMLButtonElement).click());
  await page.waitForSelector('#my-node');
}

/** One vote (or, with no candidate known, putting the client's update forward), pressed inside the page. */
async function move(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const pick = (action: string) => document.querySelector<HTMLButtonElement>(`#moves button[data-action="${action}"]:not([disabled])`);
    const button = pick('vote') ?? pick('putForward');
    if (!button) return null;
    button.click();
    return button.dataset.action ?? null;
  });
}

/** Plays the player's node until the reveal: a vote in each slot as soon as one is offered. */
async function playToReveal(page: Page, timeout = 120_000): Promise<void> {
  const until = Date.now() + timeout;
  while (!(await page.locator('#reveal:not([hidden]) #reveal-outcome').count())) {
    if (Date.now() > until) throw new Error('no reveal');
    await move(page);
    await page.waitForTimeout(150);
  }
}

/** The player's log as the panel lists it, and its strip as the canvas drew it, once the two agree. */
async function ownLogAgrees(page: Page, node: number): Promise<{ words: { slot: number; state: string; text: string }[]; strip: DrawnStrip }> {
  const handle = await page.waitForFunction(
    (me) => {
      const items = [...document.querySelectorAll<HTMLElement>('#my-log li')].map((li) => ({ slot: Number(li.dataset.slot), state: li.dataset.state ?? '', text: li.textContent ?? '' }));
      if (items.length === 0) return null;
      const game = (window as unknown as { quorum: { game(): { scene: { getScene(k: string): { drawnLayout(): { strips: { node: number; earlier: number; cells: { slot: number; state: string }[] }[] } } } } } }).quorum.game();
      const strip = game.scene.getScene('Round').drawnLayout().strips.find((s) => s.node === me);
      if (!strip || strip.cells.length === 0) return null;
      const agree = strip.cells.every((c) => items.find((i) => i.slot === c.slot)?.state === c.state) && strip.earlier + strip.cells.length === items.length;
      return agree ? { words: items, strip } : null;
    },
    node,
    { timeout: 20_000 },
  );
  return (await handle.jsonValue()) as { words: { slot: number; state: string; text: string }[]; strip: DrawnStrip };
}

function inside(r: { x: number; y: number; width: number; height: number }, box: { width: number; height: number }): boolean {
  return r.x >= -0.5 && r.y >= -0.5 && r.x + r.width <= box.width + 0.5 && r.y + r.height <= box.height + 0.5;
}

/**
 * Nine voters with long logs, made for the layout: node i learned the first 49 - 3i slots, voted in
 * the next, and (for odd i) learned one more past a hole; A's log is 50 slots long. Every slot learned
 * by A has its commit point.
 */
function longLogs(): { god: GodView; commitPoints: CommitPoint[] } {
  const world = createWorld(makeConfig('votelog', 9, 5));
  const god = godView(world);
  const value = (slot: number) => `u${slot + 1}`;
  for (const n of god.nodes) {
    const learnedUpTo = 49 - 3 * n.id;
    const learned: (string | null)[] = Array.from({ length: learnedUpTo }, (_, s) => value(s));
    const votes: (string | null)[] = [...learned, value(learnedUpTo)];
    if (n.id % 2 === 1 && learnedUpTo + 2 <= 50) learned.push(null, value(learnedUpTo + 1));
    n.durable = { votes, learned };
    n.learned = learned;
  }
  const commitPoints = Array.from({ length: 49 }, (_, slot): CommitPoint => ({ slot, decree: value(slot), step: slot, tick: 10 + slot, node: slot % 9, nodeKnew: false, voters: [0, 1, 2, 3, 4] }));
  return { god, commitPoints };
}

async function feedReveal(page: Page, message: { god: GodView; commitPoints: CommitPoint[] }): Promise<void> {
  await page.evaluate((m) => {
    const app = (window as unknown as { quorum: { app: { receive(t: string, m: unknown): void } } }).quorum.app;
    app.receive('reveal', { ...m, outcome: null, roundId: null, group: null, scoreboard: null });
  }, message);
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

describe('logs in the browser', () => {
  it('a solo votelog round: the player\'s strip and words agree, no other log shows; at the reveal every strip, the grid and each slot\'s commit point', async () => {
    const { context, page, errors } = await openPage(harness.browser, harness.url, { width: 1280, height: 800 });
    await soloVotelog(page, 3);
    await expect(page.locator('#my-log-empty').textContent()).resolves.toBe('Nothing in your log yet.');
    // Vote in slot 1: the strip and the list both show the vote.
    const until = Date.now() + 30_000;
    while ((await page.locator('#my-log li').count()) === 0) {
      if (Date.now() > until) throw new Error('never voted');
      await move(page);
      await page.waitForTimeout(150);
    }
    const first = await ownLogAgrees(page, 0);
    expect(first.words[0]!.slot).toBe(0);
    expect(['accepted', 'applied']).toContain(first.words[0]!.state);
    expect(first.words[0]!.text).toMatch(/^Slot 1: '(X|Y)'(, not known to be chosen yet| chosen and applied)\.$/);
    // A student sees only their own log: one strip, and no grid.
    const playing = await drawn(page);
    expect(playing.strips.map((s) => s.node)).toEqual([0]);
    // Votelog runs no timers: no ring.
    expect((playing as Drawn & { rings: number[] }).rings).toEqual([]);
    await expect(page.locator('#logs').isHidden()).resolves.toBe(true);
    await expect(page.locator('#log-grid').count()).resolves.toBe(0);
    for (const c of playing.strips[0]!.cells) expect(inside(c, playing)).toBe(true);
    await page.screenshot({ path: join(RESULTS, 'log-strip-play.png') });

    await page.selectOption('#speed', '4');
    await playToReveal(page);
    const { god, commitPoints } = await revealedGod(page);
    const expected = expectedCells(god);
    const slots = [...new Set(commitPoints.map((cp) => cp.slot))].sort();
    expect(slots).toEqual([0, 1]);
    // The reveal names every slot's commit point.
    const commits = await page.locator('#reveal .commit').evaluateAll((ps) => ps.map((p) => ({ slot: Number((p as HTMLElement).dataset.slot), text: p.textContent ?? '' })));
    expect(commits.map((c) => c.slot).sort()).toEqual([0, 1]);
    for (const c of commits) expect(c.text).toMatch(new RegExp(`^(X|Y) was chosen in slot ${c.slot + 1} when node [ABC]'s vote was cast at tick \\d+\\.`));

    // The grid: a row per node, a column per slot, each cell as votelog says, each slot's commit point starred.
    await page.waitForSelector('#logs:not([hidden]) #log-grid table');
    const grid = await page.locator('#log-grid tbody tr').evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll<HTMLElement>('td.log-cell')].map((td) => ({ slot: Number(td.dataset.slot), state: td.dataset.state, value: td.querySelector('.log-value')?.textContent ?? null, star: td.classList.contains('log-commit') }))),
    );
    expect(grid.length).toBe(3);
    const width = Math.max(...expected.map((cells) => cells.length));
    grid.forEach((row, node) => {
      expect(row.map((c) => c.slot)).toEqual(Array.from({ length: width }, (_, i) => i));
      row.forEach((c) => {
        const cell = expected[node]![c.slot];
        expect(c.state).toBe(cell?.state ?? 'empty');
        expect(c.value).toBe(cell?.value ?? null);
        expect(c.star).toBe(commitPoints.find((cp) => cp.slot === c.slot)?.node === node);
      });
    });
    const footer = await page.locator('#log-grid tfoot td[data-slot]').allTextContents();
    expect(footer).toEqual(slots.map((s) => { const cp = commitPoints.find((c) => c.slot === s)!; return `★ ${'ABC'[cp.node]}, tick ${cp.tick}`; }));
    // Every node's strip on the canvas, the same cells.
    await page.waitForFunction(() => {
      const game = (window as unknown as { quorum: { game(): { scene: { getScene(k: string): { drawnLayout(): { strips: unknown[] } } } } } }).quorum.game();
      return game.scene.getScene('Round').drawnLayout().strips.length === 3;
    });
    const shown = await drawn(page);
    for (const strip of shown.strips) {
      expect(strip.earlier + strip.cells.length).toBe(expected[strip.node]!.length);
      for (const c of strip.cells) {
        expect(c.state).toBe(expected[strip.node]![c.slot]!.state);
        expect(inside(c, shown)).toBe(true);
      }
    }
    await page.screenshot({ path: join(RESULTS, 'log-strip-reveal.png') });

    // The replay of the round: the grid through the god view at its end, the commit points named by slot; none through A's eyes.
    await page.$eval('#leave', (b) => (b as HTMLButtonElement).click());
    await page.waitForSelector('#open-replays');
    await page.$eval('#open-replays', (b) => (b as HTMLButtonElement).click());
    await page.waitForSelector('#replays [data-round]', { timeout: 15_000 });
    await page.$eval('#replays [data-round]', (b) => (b as HTMLButtonElement).click());
    await page.waitForSelector('#replay-scrubber');
    await expect(page.locator('#replay-logs caption').textContent()).resolves.toBe('Every node’s log: no slot holds anything yet.');
    await page.evaluate(() => {
      const replays = (window as unknown as { quorum: { replays: { seek(step: number): void; current: { length: number } } } }).quorum.replays;
      replays.seek(replays.current.length);
    });
    await page.waitForSelector('#replay-logs tfoot');
    await expect(page.locator('#replay-logs tbody tr').count()).resolves.toBe(3);
    await expect(page.locator('#replay-logs tfoot td[data-slot]').allTextContents()).resolves.toEqual(footer);
    const markers = await page.locator('#replay-marker-list').textContent();
    for (const s of slots) expect(markers).toContain(`became chosen in slot ${s + 1}`);
    await expect(page.locator('#replay-commit-text .commit').count()).resolves.toBe(2);
    await page.screenshot({ path: join(RESULTS, 'log-strip-replay.png') });
    await page.selectOption('#replay-pov', '0');
    await page.waitForFunction(() => document.querySelector('#replay-logs table') === null);
    // What A knew of its own log, in words.
    await expect(page.locator('#replay-own-log li').allTextContents()).resolves.toEqual(
      expectedCells(god)[0]!.map((c) => `Slot ${c.slot + 1}: '${c.value}' chosen and applied.`),
    );
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);

  for (const screen of [
    { name: 'laptop', viewport: { width: 1280, height: 800 }, options: {} },
    { name: 'phone', viewport: { width: 375, height: 812 }, options: PHONE },
  ]) {
    it(`nine nodes with 50-slot logs stay readable on a ${screen.name}: the latest window of each strip with "+N earlier", and the grid's`, async () => {
      const { context, page, errors } = await openPage(harness.browser, harness.url, screen.viewport, { ...screen.options, viewport: screen.viewport });
      await soloVotelog(page, 3);
      if (screen.name === 'phone') {
        // The player's own strip on a phone, during play.
        while ((await page.locator('#my-log li').count()) === 0) {
          await move(page);
          await page.waitForTimeout(150);
        }
        await ownLogAgrees(page, 0);
        await page.screenshot({ path: join(RESULTS, 'log-strip-phone-play.png') });
      }
      await page.selectOption('#speed', '4');
      await playToReveal(page);
      const long = longLogs();
      await feedReveal(page, long);
      const expected = expectedCells(long.god);
      await page.waitForFunction(() => {
        const game = (window as unknown as { quorum: { game(): { scene: { getScene(k: string): { drawnLayout(): { strips: unknown[] } } } } } }).quorum.game();
        return game.scene.getScene('Round').drawnLayout().strips.length === 9;
      });
      const shown = await drawn(page);
      for (const strip of shown.strips) {
        const cells = expected[strip.node]!;
        // The newest slots, after a count of those left out.
        expect(strip.cells.length).toBeGreaterThan(0);
        expect(strip.earlier + strip.cells.length).toBe(cells.length);
        expect(strip.cells.at(-1)!.slot).toBe(cells.length - 1);
        for (const c of strip.cells) {
          expect(c.state).toBe(cells[c.slot]!.state);
          expect(inside(c, shown)).toBe(true);
        }
      }
      // No strip runs into another node's label.
      for (const strip of shown.strips) {
        for (const label of shown.labels.filter((l) => l.node !== strip.node)) {
          for (const c of strip.cells) {
            const overlap = c.x < label.x + label.width && label.x < c.x + c.width && c.y < label.y + label.height && label.y < c.y + c.height;
            expect(overlap, `node ${strip.node}'s slot ${c.slot} over node ${label.node}'s label`).toBe(false);
          }
        }
      }
      // The grid shows the latest twelve slots, and all fifty on demand.
      await expect(page.locator('#log-grid thead th.log-earlier').textContent()).resolves.toBe('+38 earlier');
      await expect(page.locator('#log-grid thead th[data-slot]').count()).resolves.toBe(12);
      await expect(page.locator('#log-grid tbody tr').count()).resolves.toBe(9);
      await page.screenshot({ path: join(RESULTS, `log-strip-9-nodes-${screen.name}.png`) });
      await page.$eval('#log-grid .log-toggle', (b) => (b as HTMLButtonElement).click());
      await page.waitForFunction(() => document.querySelectorAll('#log-grid thead th[data-slot]').length === 50);
      await page.locator('#logs').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(RESULTS, `log-strip-grid-${screen.name}.png`) });
      expect(errors).toEqual([]);
      await context.close();
    }, 240_000);
  }

  it('the projector shows one group\'s logs as a grid in big type, its commit points only once the group\'s round is revealed', async () => {
    const round: ClassRound = playClassRound({ protocol: 'votelog', nodes: 5, seed: 4, group: 1, students: [{ nickname: 'Ada', node: 0, blunder: 0 }, { nickname: 'Bo', node: 1, blunder: 0 }], ticks: 300 });
    const running = round.worlds.findIndex((w) => w.global.chosen.length > 0);
    expect(running).toBeGreaterThan(0);
    const world = round.worlds[running]!;
    const info = (w: typeof world, phase: RoundInfo['phase']): RoundInfo => ({ id: round.played.id, phase, protocol: 'votelog', nodes: 5, speed: 1, tick: w.tick, sandbox: false });
    const groups = (w: typeof world, phase: RoundInfo['phase']): GroupsMessage => ({
      selected: 1,
      groups: [
        {
          group: 1,
          round: info(w, phase),
          seats: w.nodes.map((n) => ({ node: n.id, nickname: ['Ada', 'Bo'][n.id] ?? null, connected: true, crashed: n.crashed, learned: learnedAny(protocolFor('votelog').learned(n)) })),
          holdUps: [],
          outcome: phase === 'ended' ? protocolFor('votelog').outcome(w) : null,
        },
      ],
    });
    const { page, errors, context } = await openPage(harness.browser, `${harness.url}/class/K7MQ4X/screen`, { width: 1600, height: 900 });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    await page.waitForSelector('#projector-problem');
    await page.evaluate(() => {
      const w = window as unknown as { quorum: { app: Record<string, unknown> } };
      w.quorum.app.session = { control: () => undefined, act: () => 1, syncSeq: () => undefined, leave: async () => undefined };
      w.quorum.app.connection = 'connected';
    });
    const feed = async (type: string, message: unknown) => {
      await page.evaluate(([t, m]) => (window as unknown as { quorum: { app: { receive(t: string, m: unknown): void } } }).quorum.app.receive(t as string, m), [type, message] as const);
      await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    };
    await feed('welcome', { role: 'screen', node: null, nickname: null, classCode: 'K7MQ4X', classTitle: 'Logs', group: 1 });
    await feed('groups', groups(world, 'running'));
    await feed('view', { round: info(world, 'running'), view: godView(world), events: [], lastSeq: 0 });
    await page.keyboard.press('1');
    await page.waitForSelector('.pj-side #projector-logs table');
    // Every node's log, as votelog says, and no commit point before the reveal.
    const expected = expectedCells(godView(world));
    const states = await page.locator('#projector-logs tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll<HTMLElement>('td.log-cell')].map((td) => td.dataset.state)));
    expect(states).toEqual(expected.map((cells) => states[0]!.map((_, slot) => cells[slot]?.state ?? 'empty')));
    expect(await page.locator('#projector-logs .log-commit, #projector-logs tfoot').count()).toBe(0);
    const size = await page.$eval('#projector-logs td.log-cell', (el) => parseFloat(getComputedStyle(el).fontSize));
    expect(size).toBeGreaterThanOrEqual(20);
    await page.screenshot({ path: join(RESULTS, 'log-strip-projector.png') });
    // The reader scrolls the grid sideways (on a narrow screen, so that it has slots to scroll to); the
    // panel is built anew at each new view, and the grid stays where it was scrolled.
    await page.setViewportSize({ width: 480, height: 900 });
    const later = round.worlds[round.worlds.length - 3]!;
    await feed('view', { round: info(later, 'running'), view: godView(later), events: [], lastSeq: 0 });
    const scroller = '.pj-side #projector-logs .log-grid-scroll';
    const room = await page.$eval(scroller, (el) => el.scrollWidth - el.clientWidth);
    expect(room).toBeGreaterThan(0);
    await page.$eval(scroller, (el) => (el.scrollLeft = el.scrollWidth));
    const scrolled = await page.$eval(scroller, (el) => el.scrollLeft);
    expect(scrolled).toBeGreaterThan(0);
    const panel = await page.$('.pj-side');
    const next = round.worlds[round.worlds.length - 2]!;
    await feed('view', { round: info(next, 'running'), view: godView(next), events: [], lastSeq: 0 });
    // The side panel is a new one (the view was drawn again), and its grid is still scrolled to the same place.
    expect(await panel!.evaluate((el) => el.isConnected)).toBe(false);
    await expect(page.$eval(scroller, (el) => el.scrollLeft)).resolves.toBe(scrolled);
    await page.setViewportSize({ width: 1600, height: 900 });
    // The round ends: its reveal marks each slot's commit point in the grid.
    const ended = round.world;
    await feed('view', { round: info(ended, 'ended'), view: godView(ended), events: [], lastSeq: 0 });
    await feed('reveal', { god: godView(ended), outcome: protocolFor('votelog').outcome(ended), commitPoints: ended.global.chosen, roundId: round.played.id, group: 1, scoreboard: null });
    await feed('groups', groups(ended, 'ended'));
    await page.keyboard.press('1');
    await page.waitForSelector('#projector-logs tfoot');
    const slots = [...new Set(ended.global.chosen.map((c) => c.slot))];
    expect(await page.locator('#projector-logs .log-commit').count()).toBe(slots.length);
    await page.screenshot({ path: join(RESULTS, 'log-strip-projector-reveal.png') });
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('Multi-Paxos: each strip carries its ballots, each node the leader it believes in, and the player\'s timer runs as a ring', async () => {
    const { context, page, errors } = await openPage(harness.browser, harness.url, { width: 1280, height: 800 });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    await page.selectOption('#solo-protocol', 'multipaxos');
    await page.selectOption('#solo-nodes', '5');
    await page.$eval('#play-solo', (b) => (b as HTMLButtonElement).click());
    await page.waitForSelector('#my-node');
    /** Plays one legal move of A, by the engine's list: answers first, then a value for a slot, then a run for leader. */
    const play = () =>
      page.evaluate(() => {
        const app = (window as unknown as { quorum: { app: { view: { kind: string; legal: { kind: string }[] } | null; pendingSeq: number | null; act(a: object, d: string): void } } }).quorum.app;
        if (!app.view || app.view.kind !== 'node' || app.pendingSeq !== null) return null;
        for (const kind of ['promise', 'accept', 'propose', 'elect']) {
          const action = app.view.legal.find((a) => a.kind === kind);
          if (action) {
            app.act(action, kind);
            return kind;
          }
        }
        return null;
      });
    // Until A believes in a leader and holds a slot accepted under a ballot.
    const until = Date.now() + 90_000;
    await page.selectOption('#speed', '2');
    for (;;) {
      if (Date.now() > until) throw new Error('A never came to follow a leader with a slot in its log');
      await play();
      const ready = await page.evaluate(() => document.querySelector('#my-leader') !== null && [...document.querySelectorAll('#my-log li')].some((li) => / under ballot \d+\.[A-E]/.test(li.textContent ?? '')));
      if (ready) break;
      await page.waitForTimeout(150);
    }
    await page.selectOption('#speed', '1');
    const leader = (await page.locator('#my-leader').textContent())!;
    expect(leader).toMatch(/^You believe (you are the leader|the leader is [B-E])\.$/);
    const own = await ownLogAgrees(page, 0);
    // The canvas label says the same leader (a leader's own label says it leads), and a cell shows its ballot.
    const words = leader.includes('you are') ? 'leads under' : `leader: ${/is ([B-E])/.exec(leader)![1]}`;
    await page.waitForFunction((w) => {
      const game = (window as unknown as { quorum: { game(): { scene: { getScene(k: string): { drawnLayout(): { labels: { node: number; text: string }[] } } } } } }).quorum.game();
      return game.scene.getScene('Round').drawnLayout().labels.some((l) => l.node === 0 && l.text.includes(w));
    }, words, { timeout: 10_000 });
    expect(own.strip.cells.some((c) => /\d+\.[A-E]/.test(c.text))).toBe(true);
    // A's leader timer or heartbeat timer runs: listed with its ticks, and drawn as a ring.
    await page.waitForSelector('#my-timers li');
    await page.waitForFunction(() => {
      const game = (window as unknown as { quorum: { game(): { scene: { getScene(k: string): { drawnLayout(): { rings: number[] } } } } } }).quorum.game();
      return game.scene.getScene('Round').drawnLayout().rings.includes(0);
    }, undefined, { timeout: 10_000 });
    await page.screenshot({ path: join(RESULTS, 'log-strip-multipaxos-play.png') });

    await page.selectOption('#speed', '4');
    const end = Date.now() + 150_000;
    while (!(await page.locator('#reveal:not([hidden]) #reveal-outcome').count())) {
      if (Date.now() > end) throw new Error('no reveal');
      await play();
      await page.waitForTimeout(150);
    }
    await page.waitForSelector('#logs:not([hidden]) #log-grid table');
    // The round is over: its clock stands, so the player's panel lists no timer and the canvas draws no ring.
    await expect(page.locator('#my-timers').count()).resolves.toBe(0);
    await expect(page.locator('#my-state').textContent()).resolves.not.toContain('fires');
    await page.waitForFunction(() => {
      const game = (window as unknown as { quorum: { game(): { scene: { getScene(k: string): { drawnLayout(): { rings: number[] } } } } } }).quorum.game();
      return game.scene.getScene('Round').drawnLayout().rings.length === 0;
    }, undefined, { timeout: 10_000 });
    // The grid has a leader column, and cells marked with their ballots.
    await expect(page.locator('#log-grid thead th').first().textContent()).resolves.toBe('Node');
    await expect(page.locator('#log-grid thead th').nth(1).textContent()).resolves.toBe('Leader');
    const marks = await page.locator('#log-grid .log-mark').allTextContents();
    expect(marks.length).toBeGreaterThan(0);
    for (const m of marks) expect(m).toMatch(/^\d+\.[A-E]$/);
    await expect(page.locator('#log-grid .log-toned').count()).resolves.toBe(1);
    const { commitPoints } = await revealedGod(page);
    const slots = [...new Set(commitPoints.map((cp) => cp.slot))];
    expect(await page.locator('#log-grid .log-commit').count()).toBe(slots.length);
    await page.screenshot({ path: join(RESULTS, 'log-strip-multipaxos-reveal.png') });
    await page.locator('#logs').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(RESULTS, 'log-strip-multipaxos-grid.png') });
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);

  it('a class: the instructor sees every node\'s log in the grid while the round runs, a student only their own strip and words', async () => {
    const teacher = await openPage(harness.browser, harness.url, { width: 1400, height: 900 });
    await teacher.page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    await teacher.page.$eval('#host-class', (b) => (b as HTMLButtonElement).click());
    await teacher.page.waitForSelector('#join-code-display');
    const code = (await teacher.page.locator('#join-code-display').textContent())!.trim();
    const student = await openPage(harness.browser, `${harness.url}/join/${code}`, { width: 375, height: 812 }, PHONE);
    await student.page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    await student.page.fill('#join-nickname', 'Ada');
    await student.page.$eval('#join-class', (b) => (b as HTMLButtonElement).click());
    await student.page.waitForSelector('#status:has-text("You are node")');
    await teacher.page.waitForSelector('#roster-table tbody tr');
    await teacher.page.selectOption('#setup-protocol', 'votelog');
    await teacher.page.selectOption('#setup-nodes', '5');
    await teacher.page.$eval('#start-round', (b) => (b as HTMLButtonElement).click());
    await teacher.page.waitForSelector('#logs:not([hidden]) #log-grid tbody tr');
    await expect(teacher.page.locator('#log-grid tbody tr').count()).resolves.toBe(5);
    // The student votes; the instructor's grid shows that vote in the student's row.
    const node = await student.page.evaluate(() => (window as unknown as { quorum: { app: { node: number } } }).quorum.app.node);
    const until = Date.now() + 30_000;
    while ((await student.page.locator('#my-log li').count()) === 0) {
      if (Date.now() > until) throw new Error('the student never voted');
      await move(student.page);
      await student.page.waitForTimeout(150);
    }
    const mine = await ownLogAgrees(student.page, node);
    expect(mine.words[0]!.state).not.toBe('empty');
    await teacher.page.waitForFunction((n) => ['accepted', 'chosen', 'applied'].includes(document.querySelector(`#log-grid tr[data-node="${n}"] td[data-slot="0"]`)?.getAttribute('data-state') ?? ''), node);
    await expect(teacher.page.locator(`#log-grid tr[data-node="${node}"] th`).textContent()).resolves.toContain('Ada');
    // The student has no grid and draws no other node's strip, while the round runs.
    expect(await student.page.locator('#log-grid').count()).toBe(0);
    expect((await drawn(student.page)).strips.map((s) => s.node)).toEqual([node]);
    await teacher.page.screenshot({ path: join(RESULTS, 'log-strip-instructor.png') });
    await student.page.screenshot({ path: join(RESULTS, 'log-strip-student.png') });
    expect(teacher.errors).toEqual([]);
    expect(student.errors).toEqual([]);
    await student.context.close();
    await teacher.context.close();
  }, 120_000);
});

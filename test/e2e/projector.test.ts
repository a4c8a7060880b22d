/**
 * The screens of a class of groups in a real browser, fed the server's messages through the app's
 * own way in (`app.receive`), as the server will send them: the projector view without a key, with
 * the join code, every group as a card, one group's canvas (its commit point concealed until its
 * reveal), the results; the instructor's groups and "this group only"; a student's results on a
 * phone. Rounds are played by the engine with bots and students, as a class plays them.
 * Screenshots go to test-results/.
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { step } from '../../shared/engine/step';
import { godView, roundOver, viewOf } from '../../shared/engine/view';
import type { World } from '../../shared/engine/types';
import { learnedAny } from '../../shared/protocols/common';
import { protocolFor } from '../../shared/protocols';
import { classReport, compareGroups, reportLineOf, scoreRound } from '../../shared/results';
import type { GroupSummary, GroupsMessage, RoundInfo, TickedEvent } from '../../shared/wire/messages';
import { playClassRound, type ClassRound } from '../results/helpers';
import { buildClient, openPage, PHONE, RESULTS, startHarness, type Harness } from './harness';

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

const CODE = 'K7MQ4X';
const TITLE = 'Networks 101';
const NAMES = [
  ['Ada', 'Bo', 'Cy'],
  ['Dee', 'Eli'],
  ['Fay', 'Gus'],
];

/** Three groups' rounds of Paxos on 5 nodes, students at the first seats and bots at the rest. */
const rounds: ClassRound[] = NAMES.map((names, i) =>
  playClassRound({ protocol: 'paxos', nodes: 5, seed: 21 + i, group: i + 1, students: names.map((nickname, node) => ({ nickname, node, blunder: 0.1 })), ticks: 300 }),
);

/** The step of a round at which a decree is chosen, while the round still runs: the commit point is in the god view, and must not show. */
function decidedStep(round: ClassRound): number {
  const at = round.worlds.findIndex((w) => w.global.chosen.length > 0);
  if (at < 0 || roundOver(round.worlds[at]!)) throw new Error('no running world with a commit point');
  return at;
}

function info(round: ClassRound, world: World, phase: RoundInfo['phase']): RoundInfo {
  return { id: phase === 'setup' ? null : round.played.id, phase, protocol: 'paxos', nodes: 5, speed: 1, tick: world.tick, sandbox: false };
}

function summary(i: number, phase: RoundInfo['phase'], world: World): GroupSummary {
  const round = rounds[i]!;
  const protocol = protocolFor('paxos');
  return {
    group: i + 1,
    round: info(round, world, phase),
    seats: world.nodes.map((n) => ({
      node: n.id,
      nickname: NAMES[i]![n.id] ?? null,
      connected: n.id !== 1 || i !== 1,
      crashed: phase === 'setup' ? false : n.crashed || (i === 2 && n.id === 4),
      learned: phase === 'setup' ? false : learnedAny(protocol.learned(n)),
    })),
    holdUps:
      phase === 'running' && i === 1
        ? [{ node: 0, nickname: 'Dee', messageId: 7, kind: 'prepare', word: 'PREPARE', deliveredAt: 2, ticks: 61, waiting: 1, text: 'Dee has had a PREPARE waiting for 61 ticks' }]
        : [],
    outcome: phase === 'ended' ? protocol.outcome(world) : null,
  };
}

function groups(phase: RoundInfo['phase'], selected = 1): GroupsMessage {
  return {
    selected,
    groups: rounds.map((round, i) => summary(i, phase, phase === 'setup' ? round.worlds[0]! : phase === 'ended' ? round.world : round.worlds[decidedStep(round)]!)),
  };
}

/** The events the god view got over the last steps up to `to`, the commit point's among them. */
function eventsUpTo(round: ClassRound, to: number, count = 40): TickedEvent[] {
  const events: TickedEvent[] = [];
  for (let i = Math.max(0, to - count); i < to; i++) {
    const result = step(round.worlds[i]!, round.played.log[i]!);
    if (!result.ok) throw new Error('the log re-runs');
    for (const e of result.events) events.push({ ...e, tick: result.world.tick });
  }
  return events;
}

const results = rounds.map((r) => scoreRound(r.played));
const comparison = { sentences: compareGroups(results.map((r) => r.facts)), scoreboards: results.map((r) => r.scoreboard) };

function reveal(i: number) {
  const round = rounds[i]!;
  const god = godView(round.world);
  return { god, outcome: protocolFor('paxos').outcome(round.world), commitPoints: god.global.chosen, roundId: round.played.id, group: i + 1, scoreboard: results[i]!.scoreboard };
}

async function feed(page: Page, type: string, message: unknown): Promise<void> {
  await page.evaluate(
    ([t, m]) => (window as unknown as { quorum: { app: { receive(t: string, m: unknown): void } } }).quorum.app.receive(t as string, m),
    [type, message] as const,
  );
  // The panels re-render on the next animation frame.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: join(RESULTS, name) });
}

interface Drawn {
  width: number;
  height: number;
  nodes: { x: number; y: number; radius: number }[];
  labels: { node: number; text: string }[];
}

/** What the round scene drew, once it drew `nodes` nodes. */
async function drawn(page: Page, nodes: number, label = ''): Promise<Drawn> {
  await page.waitForFunction(
    ([n, text]) => {
      const game = (window as unknown as { quorum: { game(): { scene: { isActive(k: string): boolean; getScene(k: string): { drawnLayout(): Drawn } } } | null } }).quorum.game();
      if (!game?.scene.isActive('Round')) return false;
      const d = game.scene.getScene('Round').drawnLayout();
      return d.nodes.length === n && d.labels.some((l) => l.text.includes(text as string));
    },
    [nodes, label] as const,
    { timeout: 20_000 },
  );
  return page.evaluate(() => {
    const game = (window as unknown as { quorum: { game(): { scene: { getScene(k: string): { drawnLayout(): Drawn } } } } }).quorum.game();
    return game.scene.getScene('Round').drawnLayout();
  });
}

describe('the projector view', () => {
  it('explains that it opens from the instructor’s dashboard when this browser holds no key', async () => {
    const { page, errors, context } = await openPage(harness.browser, `${harness.url}/class/${CODE.toLowerCase()}/screen`);
    await page.waitForSelector('#projector-problem');
    expect(await page.textContent('#projector-title')).toBe(`Projector view of class ${CODE}`);
    expect(await page.textContent('#projector-problem')).toMatch(/instructor key.*Projector view/);
    expect(await page.isVisible('#menu')).toBe(false);
    await shot(page, 'projector-no-key.png');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows the join code, then every group, one group concealed, the results, and one group revealed', async () => {
    const { page, errors, context } = await openPage(harness.browser, `${harness.url}/class/${CODE}/screen`, { width: 1600, height: 900 });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    await page.waitForSelector('#projector-problem');
    // As the server will: the projector is welcomed, and sent every group. What it sends is kept.
    await page.evaluate(() => {
      const w = window as unknown as { sent: unknown[]; quorum: { app: Record<string, unknown> } };
      w.sent = [];
      w.quorum.app.session = { control: (type: string, payload: object) => w.sent.push({ type, payload }), act: () => 1, syncSeq: () => undefined, leave: async () => undefined };
      w.quorum.app.connection = 'connected';
    });
    const sent = () => page.evaluate(() => (window as unknown as { sent: { type: string; payload: Record<string, unknown> }[] }).sent);
    /** The server shows the projector the group it selected. */
    const select = async (group: number, phase: RoundInfo['phase']) => {
      expect((await sent()).at(-1)).toEqual({ type: 'selectGroup', payload: { group } });
      await feed(page, 'welcome', { role: 'screen', node: null, nickname: null, classCode: CODE, classTitle: TITLE, group });
      await feed(page, 'groups', groups(phase, group));
    };
    await feed(page, 'welcome', { role: 'screen', node: null, nickname: null, classCode: CODE, classTitle: TITLE, group: 1 });
    await feed(page, 'groups', groups('setup'));
    expect(await page.textContent('#projector-title')).toBe(TITLE);
    expect(await page.textContent('#projector-code')).toBe(CODE);
    expect(await page.textContent('#projector-url')).toBe(`${harness.url}/join/${CODE}`);
    expect(await page.textContent('#projector-joined')).toBe('7 students have joined, in 3 groups.');
    expect(await page.locator('.pj-qr svg').count()).toBe(1);
    const codeSize = await page.$eval('#projector-code', (el) => parseFloat(getComputedStyle(el).fontSize));
    expect(codeSize).toBeGreaterThan(120);
    await shot(page, 'projector-lobby.png');

    // The rounds run: every group as a card.
    const decided = decidedStep(rounds[0]!);
    const world = rounds[0]!.worlds[decided]!;
    expect(world.global.chosen.length).toBe(1);
    await feed(page, 'groups', groups('running'));
    await feed(page, 'view', { round: info(rounds[0]!, world, 'running'), view: godView(world), events: eventsUpTo(rounds[0]!, decided), lastSeq: 0 });
    await page.waitForSelector('#projector-grid');
    expect(await page.locator('.pj-card').count()).toBe(3);
    expect(await page.textContent('[data-group="2"] .pj-holdups')).toContain('Dee has had a PREPARE waiting for 61 ticks');
    expect(await page.locator('[data-group="3"] .pj-seat.crashed').count()).toBeGreaterThan(0);
    expect(await page.textContent('#projector-grid')).not.toMatch(/Decided|commit point/i);
    await shot(page, 'projector-grid.png');

    // From the keyboard: group 1, one group's canvas, big.
    await page.keyboard.press('1');
    await page.waitForSelector('.pj-side');
    const concealed = await drawn(page, 5, 'Ada');
    const stageWidth = await page.$eval('#stage', (el) => el.clientWidth);
    expect(concealed.width).toBeLessThan(stageWidth / 1.5);
    expect(concealed.labels.map((l) => l.text).join('\n')).not.toMatch(/★|commit point/i);
    const log = await page.textContent('#projector-log');
    expect(log!.length).toBeGreaterThan(0);
    expect(log).not.toMatch(/commit point|became chosen/i);
    expect(await page.locator('#projector-reveal').count()).toBe(0);
    await shot(page, 'projector-group.png');

    // G shows every group again; Tab and Enter open a group's card.
    await page.keyboard.press('g');
    await page.waitForSelector('#projector-grid');
    await page.focus('[data-key="card-2"]');
    await page.keyboard.press('Enter');
    await select(2, 'running');
    await page.waitForSelector('.pj-side');
    expect(await page.getAttribute('#projector-group', 'aria-pressed')).toBe('true');
    expect(await page.textContent('#projector-group')).toBe('Group 2');
    await page.keyboard.press('ArrowLeft');
    await select(1, 'running');
    await feed(page, 'view', { round: info(rounds[0]!, world, 'running'), view: godView(world), events: [], lastSeq: 0 });

    // Every group's round ends: the reveals, and the groups compared.
    const ended = rounds[0]!.world;
    await feed(page, 'view', { round: info(rounds[0]!, ended, 'ended'), view: godView(ended), events: [], lastSeq: 0 });
    for (const i of [0, 1, 2]) await feed(page, 'reveal', reveal(i));
    await feed(page, 'groups', groups('ended'));
    await feed(page, 'comparison', comparison);
    await page.waitForSelector('#projector-comparison');
    for (const sentence of comparison.sentences) expect(await page.textContent('#projector-comparison')).toContain(sentence);
    const table = page.locator('#scoreboard-group-1');
    expect(await table.locator('tbody tr').count()).toBe(results[0]!.scoreboard.rows.length);
    expect(await table.locator('thead').textContent()).toBe('PlayerNodeCommit pointMoves by the rulesRefused, by ruleLearned the outcome');
    const starred = results[0]!.scoreboard.rows.filter((r) => r.commitPoint).map((r) => r.name);
    expect(await table.locator('tr.commit-row th').allTextContents()).toEqual(starred);
    await shot(page, 'projector-results.png');
    await page.keyboard.press('ArrowRight');
    await select(2, 'ended');
    await page.waitForSelector('#scoreboard-group-2');

    // Back to group 1's canvas: now revealed, its commit point marked.
    await page.keyboard.press('g');
    await page.keyboard.press('1');
    await select(1, 'ended');
    await feed(page, 'view', { round: info(rounds[0]!, ended, 'ended'), view: godView(ended), events: [], lastSeq: 0 });
    const revealed = await drawn(page, 5, '★ commit point');
    expect(revealed.labels.filter((l) => l.text.includes('★ commit point')).length).toBeGreaterThan(0);
    expect(await page.textContent('#projector-reveal')).toMatch(/when/);
    await shot(page, 'projector-group-revealed.png');
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('the instructor’s groups', () => {
  it('selects a group, lists hold-ups and outcomes, and sends the group only when "this group only" is on', async () => {
    const { page, errors, context } = await openPage(harness.browser, `${harness.url}/`, { width: 1400, height: 900 });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    await page.evaluate(() => {
      const w = window as unknown as { sent: unknown[]; quorum: { app: Record<string, unknown> } };
      w.sent = [];
      w.quorum.app.session = { control: (type: string, payload: object) => w.sent.push({ type, payload }), act: () => 1, syncSeq: () => undefined, leave: async () => undefined };
      w.quorum.app.connection = 'connected';
    });
    const sent = () => page.evaluate(() => (window as unknown as { sent: { type: string; payload: Record<string, unknown> }[] }).sent);
    const decided = decidedStep(rounds[0]!);
    const world = rounds[0]!.worlds[decided]!;
    await feed(page, 'welcome', { role: 'instructor', node: null, nickname: null, classCode: CODE, classTitle: TITLE, group: 1 });
    await feed(page, 'roster', {
      students: NAMES.flatMap((names, g) => names.map((nickname, node) => ({ nickname, group: g + 1, node, connected: true, autopilot: false, rejections: 0 }))),
      group: 1,
      seats: world.nodes.map((n) => ({ node: n.id, holder: NAMES[0]![n.id] ? 'student' : 'bot', nickname: NAMES[0]![n.id] ?? null, autopilot: false })),
    });
    // Before the round: the lobby, with the projector link and the students per group.
    await feed(page, 'groups', groups('setup'));
    await feed(page, 'view', { round: info(rounds[0]!, rounds[0]!.worlds[0]!, 'setup'), view: godView(rounds[0]!.worlds[0]!), events: [], lastSeq: 0 });
    await page.waitForSelector('#lobby-projector-link');
    expect(await page.textContent('#lobby-title')).toBe(TITLE);
    expect(await page.getAttribute('#lobby-projector-link', 'href')).toBe(`/class/${CODE}/screen`);
    expect(await page.locator('#roster-table tbody tr').count()).toBe(7);
    await page.fill('#setup-group-size', '3');
    await page.click('#start-round');
    expect((await sent()).find((m) => m.type === 'setup')?.payload.groupSize).toBe(3);
    await shot(page, 'lobby-instructor.png');

    await feed(page, 'groups', groups('running'));
    await feed(page, 'view', { round: info(rounds[0]!, world, 'running'), view: godView(world), events: [], lastSeq: 0 });
    await page.waitForSelector('#groups-list');
    expect(await page.textContent('#class-label')).toBe(`${TITLE} (${CODE})`);
    expect(await page.getAttribute('#projector-link', 'href')).toBe(`/class/${CODE}/screen`);
    expect(await page.textContent('#status')).toContain(`${TITLE} (${CODE}) · instructor · group 1`);
    expect(await page.locator('#groups-list > li').count()).toBe(3);
    expect(await page.textContent('#groups-list [data-group="2"] .holdups')).toBe('Dee has had a PREPARE waiting for 61 ticks');
    await page.evaluate(() => ((window as unknown as { sent: unknown[] }).sent.length = 0));
    await page.click('#control-pause');
    await page.focus('#group-only');
    await page.keyboard.press('Space');
    await page.waitForFunction(() => (document.querySelector('#group-only') as HTMLInputElement).checked);
    await page.click('#control-pause');
    await page.click('[data-key="group-2"]');
    expect(await sent()).toEqual([
      { type: 'pause', payload: {} },
      { type: 'pause', payload: { group: 1 } },
      { type: 'selectGroup', payload: { group: 2 } },
    ]);
    await shot(page, 'dashboard-groups.png');

    // Over: each group's outcome in the list.
    await feed(page, 'groups', groups('ended'));
    expect(await page.textContent('#groups-list [data-group="1"] .group-outcome')).toMatch(/^Decided: /);
    expect(await page.evaluate(() => {
      const seen = new Map<string, number>();
      for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) ?? 0) + 1);
      return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
    })).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('a student’s group and results', () => {
  it('shows the group and, after the round, the groups compared and their own line, at phone width', async () => {
    const { page, errors, context } = await openPage(harness.browser, `${harness.url}/`, PHONE.viewport!, PHONE);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    await page.evaluate(() => ((window as unknown as { quorum: { app: { connection: string } } }).quorum.app.connection = 'connected'));
    const round = rounds[1]!;
    const mid = round.worlds[decidedStep(round)]!;
    await feed(page, 'welcome', { role: 'student', node: 1, nickname: 'Eli', classCode: CODE, classTitle: TITLE, group: 2 });
    await feed(page, 'view', { round: info(round, mid, 'running'), view: viewOf(mid, 1), events: [], lastSeq: 0 });
    expect(await page.textContent('#my-group')).toBe('2');
    expect(await page.textContent('#status')).toContain('group 2');
    expect(await page.isVisible('#your-results')).toBe(false);

    await feed(page, 'view', { round: info(round, round.world, 'ended'), view: viewOf(round.world, 1), events: [], lastSeq: 0 });
    await feed(page, 'reveal', reveal(1));
    await feed(page, 'comparison', { sentences: comparison.sentences, scoreboards: [results[1]!.scoreboard] });
    const line = reportLineOf(classReport([results[1]!.scoreboard]), 'Eli')!.rows[0]!;
    await feed(page, 'reportLine', { line });
    await page.waitForSelector('#your-results #report-line');
    expect(await page.textContent('#comparison')).toContain(comparison.sentences[0]!);
    expect(await page.textContent('#report-line')).toContain(`${line.moves}, ${line.movesByRules} by the rules`);
    await page.locator('#your-results').scrollIntoViewIfNeeded();
    await shot(page, 'student-results-phone.png');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});

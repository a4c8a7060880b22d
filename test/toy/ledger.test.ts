/**
 * A replicated log fits the engine as it is. Ledger, a toy log that lives only in
 * `test/toy/ledger/`, decides several slots, each with its own commit point and its own agreement
 * check, and runs on timers (one randomized from the world's random source, one that a message
 * starts again); the reveal, the scoreboard, replays and the timeline read its commit points slot by
 * slot. Nothing outside its folder names it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeStateLines, runningTimers, timerSentence } from '../../client/src/describe';
import { pictureOf } from '../../client/src/picture';
import { ReplayController } from '../../client/src/replay/controller';
import { Scoreboard } from '../../client/src/scoreboard';
import { StepContext } from '../../shared/engine/context';
import { parseScriptLine } from '../../shared/engine/script';
import { commitPointSentence, commitPointsBySlot, outcomeSentence } from '../../shared/engine/reveal';
import { buildTimeline, commitPointSteps } from '../../shared/engine/timeline';
import type { Command, World } from '../../shared/engine/types';
import { godView, legalActions, legalInView, roundStatus, ruleBreakingActions, ruleBreakingInView, sentViewOf, viewOf } from '../../shared/engine/view';
import { createWorld, makeConfig } from '../../shared/engine/world';
import { checkInvariants } from '../../shared/invariants';
import { registerProtocol } from '../../shared/protocols';
import { runSeed } from '../../shared/sim/swarm';
import { mustStep, nextTimerAtProblem, playedRound, swarmWorlds, worldFrom } from '../engine/helpers';
import { parseTranscript, runTranscript } from '../engine/transcript';
import { ledger } from './ledger';

registerProtocol(ledger);

const update = process.env.UPDATE_TRANSCRIPTS === '1';

/** Runs a transcript of the toy beside it (UPDATE_TRANSCRIPTS=1 rewrites it), and returns its narration. */
function transcript(file: string): string {
  const path = join(import.meta.dirname, 'ledger', file);
  const text = readFileSync(path, 'utf8');
  const { text: actual } = runTranscript(parseTranscript(text));
  if (update) writeFileSync(path, actual);
  else expect(actual).toBe(text);
  return actual;
}

/** X in slot 0 and Y in slot 1, each accepted by A and B: both chosen, with a commit point each. */
const TWO_SLOTS = [
  'config ledger nodes=3 seed=2 latency=1-1 timeout=6',
  'propose A X',
  'propose A Y',
  'act A place decree=X slot=0',
  'act A place decree=Y slot=1',
  'tick',
  'act B accept msg=4',
  'act B accept msg=9',
];

/** A script's config and its command log, as a stored round holds them. */
function logOf(lines: readonly string[]): { config: World['config']; log: Command[] } {
  const log: Command[] = [];
  for (const line of lines.slice(1)) {
    const parsed = parseScriptLine(line);
    if (parsed.kind === 'commands') log.push(...parsed.commands);
  }
  return { config: worldFrom(lines.slice(0, 1)).config, log };
}

describe('a replicated log, as a protocol that exists only in the tests', () => {
  it('decides two slots, each with its own commit point, in words that name the slot', () => {
    const narration = transcript('two-slots.txt');
    expect(narration).toContain('Commit point: X became chosen in slot 0 when B accepted, making a majority of 2.');
    expect(narration).toContain('Commit point: Y became chosen in slot 1 when B accepted, making a majority of 2.');
    expect(narration).not.toContain('INVARIANT BROKEN');
    const world = worldFrom(TWO_SLOTS);
    expect(world.global.chosen.map((c) => [c.slot, c.decree, c.node])).toEqual([
      [0, 'X', 1],
      [1, 'Y', 1],
    ]);
    expect(world.global.boxes.map((b) => [b.slot, b.value, b.voters])).toEqual([
      [0, 'X', [0, 1]],
      [1, 'Y', [0, 1]],
    ]);
    // Two different decrees in two slots break no agreement: agreement is per slot.
    expect(checkInvariants(null, world)).toEqual([]);
    expect(commitPointSentence('ledger', world.global.chosen[1]!)).toBe(
      'Y was chosen in slot 1 when node B accepted it at tick 1. B knew at once. The majority: A and B.',
    );
  });

  it('keeps what each node learned slot by slot, and decides once every node knows the whole log', () => {
    const world = worldFrom([...TWO_SLOTS, 'tick']);
    expect(world.nodes.map((n) => ledger.learned(n as never))).toEqual([['X', 'Y'], ['X', 'Y'], ['X', 'Y']]);
    expect(viewOf(world, 2).self.learned).toEqual(['X', 'Y']);
    expect(roundStatus(world)).toMatchObject({ decided: true, outcome: 'X, Y' });
    expect(outcomeSentence('ledger', roundStatus(world).outcome, false)).toBe('Decided: X, Y.');
    // A node that learned a slot wrongly is caught in that slot.
    const wrong = { ...world, nodes: world.nodes.map((n) => (n.id === 2 ? { ...n, durable: { ...(n.durable as object), learned: ['X', 'X'] } } : n)) };
    expect(checkInvariants(world, wrong)).toEqual([{ code: 'learned-not-chosen', message: 'C learned X in slot 1, which is not chosen there.' }]);
    // A slot whose chosen decree changes is caught in that slot, and only there.
    const changed = { ...world, global: { ...world.global, chosen: world.global.chosen.map((c) => (c.slot === 1 ? { ...c, decree: 'Z' } : c)) } };
    expect(checkInvariants(world, changed).map((b) => b.message)).toContain('The chosen decree in slot 1 changed from Y.');
    expect(checkInvariants(world, changed).map((b) => b.message)).not.toContain('The chosen decree in slot 0 changed from X.');
  });

  it('catches a second decree chosen in one slot, in that slot, while the others stay sound', () => {
    const narration = transcript('double-choice.txt');
    expect(narration.match(/INVARIANT BROKEN.*/g)).toEqual(['INVARIANT BROKEN (agreement): More than one decree was chosen in slot 1: Y and Z.']);
    const world = worldFrom([
      ...TWO_SLOTS.map((l) => (l.startsWith('config') ? `${l} sandbox decrees=X,Y,Z` : l)),
      'propose A Z',
      'act A place decree=Z slot=1',
      'tick',
      'act B accept msg=20',
    ]);
    expect(world.global.violations.map((v) => [v.node, v.code])).toEqual([
      [0, 'slot-used'],
      [1, 'slot-taken'],
    ]);
    expect(checkInvariants(null, world)).toEqual([{ code: 'agreement', message: 'More than one decree was chosen in slot 1: Y and Z.' }]);
    expect(commitPointsBySlot(world.global.chosen).map((c) => [c.slot, c.decree])).toEqual([
      [0, 'X'],
      [1, 'Y'],
    ]);
  });

  it('runs a randomized heartbeat from the world\'s random source: the same seed draws the same ticks', () => {
    const beats = (seed: number) => {
      let world = createWorld(makeConfig('ledger', 3, seed, { latencyMin: 1, latencyMax: 3 }));
      const at: number[] = [];
      for (let t = 0; t < 60; t++) {
        const { world: next, events } = mustStep(world, { type: 'tick' });
        world = next;
        if (events.some((e) => e.type === 'timeout' && e.node === 0)) at.push(world.tick);
      }
      return at;
    };
    expect(beats(5)).toEqual(beats(5));
    const gaps = (at: number[]) => at.slice(1).map((t, i) => t - at[i]!);
    // Intervals of latencyMax + 1 to latencyMax + latencyMin + 2 ticks, and not all alike.
    for (const seed of [1, 2, 3, 4, 5]) for (const gap of gaps(beats(seed))) expect(gap >= 4 && gap <= 6).toBe(true);
    expect(new Set([1, 2, 3, 4, 5].flatMap((s) => gaps(beats(s)))).size).toBeGreaterThan(1);
  });

  it('restarts a watch timer with every message from the sequencer, even one arriving on the tick it would fire', () => {
    // A is cut off from C: C hears nothing, and its watch timer fires after a whole timeout.
    const cut = worldFrom(['config ledger nodes=3 seed=2 latency=1-1 timeout=6', 'partition A,B C', 'tick 6']);
    expect(cut.nodes[2]!.volatile).toMatchObject({ silent: true });
    expect(cut.nodes[1]!.volatile).toMatchObject({ silent: false });
    expect(cut.nodes[1]!.timers.map((t) => t.name)).toEqual(['watch']);
    expect(nodeStateLines('ledger', godView(cut).nodes[2]!, 3)).toContain('the sequencer has been silent');
    // A message delivered on the very tick a watch timer falls due is received first, and starts it again.
    const start = worldFrom(['config ledger nodes=3 seed=2 latency=1-1 timeout=6', 'propose A X', 'act A place decree=X slot=0', 'partition A,B C']);
    const append = start.inFlight.find((m) => m.to === 2 && m.payload.kind === 'append')!;
    const firesAt = start.nodes[2]!.timers[0]!.firesAt;
    let world = mustStep(start, { type: 'delay', id: append.id, ticks: firesAt - append.deliverAt }).world;
    // Until then C hears nothing: every other message to it is lost at the partition.
    for (let t = 1; t < firesAt; t++) world = mustStep(world, { type: 'tick' }).world;
    expect(world.nodes[2]!.timers).toEqual([{ name: 'watch', setAt: 0, firesAt }]);
    world = mustStep(world, { type: 'heal' }).world;
    for (const m of world.inFlight.filter((x) => x.to === 2 && x.id !== append.id)) world = mustStep(world, { type: 'drop', id: m.id }).world;
    const { world: after, events } = mustStep(world, { type: 'tick' });
    expect(after.tick).toBe(firesAt);
    expect(events.filter((e) => e.node === 2).map((e) => e.type)).toEqual(['delivered']);
    expect(after.nodes[2]!.timers).toEqual([{ name: 'watch', setAt: firesAt, firesAt: firesAt + 6 }]);
    expect(after.nodes[2]!.volatile).toMatchObject({ silent: false });
  });

  it('shows a node its timers with the ticks left, fires ties in the timer table\'s order, and stops them at a crash', () => {
    const world = worldFrom(['config ledger nodes=3 seed=2 latency=1-1 timeout=6', 'tick']);
    const a = sentViewOf(world, 0);
    expect(a.self.timers.map((t) => t.name)).toEqual(['heartbeat']);
    const c = sentViewOf(world, 2);
    expect(runningTimers('ledger', c.self, c.now).map(timerSentence)).toEqual(['Your watch timer fires in 5 ticks: then you will know the sequencer has been silent for a whole timeout.']);
    // Two timers due at the same tick fire in the table's order, whichever was set first.
    const ctx = new StepContext(world, ledger as never);
    ctx.setTimer(1, 'watch', 2);
    ctx.setTimer(1, 'heartbeat', 2);
    expect(ctx.node(1).timers.map((t) => t.name)).toEqual(['heartbeat', 'watch']);
    const crashed = mustStep(world, { type: 'crash', node: 0 }).world;
    expect(crashed.nodes[0]!.timers).toEqual([]);
    const back = mustStep(crashed, { type: 'recover', node: 0 }).world;
    expect(back.nodes[0]!.timers.map((t) => t.name)).toEqual(['heartbeat']);
  });

  it('keeps the world\'s next timer tick no later than any of its two kinds of timer, on every node', () => {
    let worlds = 0;
    for (const world of swarmWorlds('ledger', 10, 4)) {
      expect(nextTimerAtProblem(world), `step ${world.step}`).toBeNull();
      worlds += 1;
    }
    expect(worlds).toBeGreaterThan(1000);
  });

  it('gets views whose legal and rule-breaking moves a client works out as the server does, timers and all', () => {
    let withTimers = 0;
    for (const world of playedRound('ledger', 3, 300, { sandbox: true }, 4)) {
      for (const node of world.nodes) {
        const sent = sentViewOf(world, node.id);
        expect(legalInView(sent)).toEqual(legalActions(world, node.id));
        expect(ruleBreakingInView(sent)).toEqual(ruleBreakingActions(world, node.id));
        if (sent.self.timers.length > 0) withTimers += 1;
      }
    }
    expect(withTimers).toBeGreaterThan(100);
  });

  it('gets bots and the swarm: its rounds decide whole logs with faults, and a sandbox round\'s double choice is counted apart', () => {
    let decided = 0;
    for (let seed = 0; seed < 40; seed++) {
      const run = runSeed({ protocol: 'ledger', nodes: 3 + (seed % 5), seed, faults: true });
      expect(run.failures).toEqual([]);
      if (run.decided) {
        decided += 1;
        const slots = commitPointsBySlot(run.world.global.chosen).map((c) => c.slot);
        expect(slots).toEqual(slots.map((_, i) => i));
      }
    }
    expect(decided).toBeGreaterThan(35);
    const sandbox = Array.from({ length: 30 }, (_, seed) => runSeed({ protocol: 'ledger', nodes: 5, seed, faults: false, settings: { sandbox: true } }));
    expect(sandbox.flatMap((r) => r.failures)).toEqual([]);
    expect(sandbox.some((r) => r.sandboxBreaks.some((b) => b.code === 'agreement' && /in slot \d/.test(b.message)))).toBe(true);
  });

  it('has its commit points read slot by slot by the reveal\'s picture, the scoreboard, the timeline and replays', () => {
    const lines = [...TWO_SLOTS, 'tick'];
    const world = worldFrom(lines);
    const god = godView(world);
    // The picture marks every node whose acceptance made a slot's majority.
    expect(pictureOf({ view: god, commitPoints: world.global.chosen }).nodes.filter((n) => n.commit).map((n) => n.id)).toEqual([1]);
    const board = new Scoreboard();
    board.observe({ id: 'r', phase: 'running', protocol: 'ledger', nodes: 3, speed: 1, tick: world.tick, sandbox: false }, god, []);
    expect(board.rows[0]!.slotTicks).toEqual([
      { slot: 0, tick: 1 },
      { slot: 1, tick: 1 },
    ]);
    const { config, log } = logOf(lines);
    const timeline = buildTimeline(config, log);
    const steps = commitPointSteps(timeline);
    expect(steps).toEqual([6, 7]);
    expect(timeline.markers.filter((m) => m.kind === 'commit-point').map((m) => m.text.slice(0, 40))).toEqual([
      'Commit point: X became chosen in slot 0 ',
      'Commit point: Y became chosen in slot 1 ',
    ]);
    const replay = new ReplayController({ format: 'quorum-round', version: 1, config, log, meta: {} } as never);
    // "Jump to the commit point" goes to each slot's in turn, then back to the first.
    expect(replay.jumpToCommitPoint()).toBe(true);
    expect(replay.step).toBe(6);
    expect(replay.commitPoints().map((c) => c.slot)).toEqual([0]);
    replay.jumpToCommitPoint();
    expect(replay.step).toBe(7);
    expect(replay.commitPoints().map((c) => c.slot)).toEqual([0, 1]);
    replay.jumpToCommitPoint();
    expect(replay.step).toBe(6);
  });
});

import { describe, expect, it } from 'vitest';
import { step } from '../../shared/engine/step';
import type { Command, EngineEvent, World } from '../../shared/engine/types';
import { createWorld } from '../../shared/engine/world';
import { advance, applyScript, playLesson, startLesson, type LessonRound } from '../../shared/lessons';
import { electingLeader as lesson } from '../../shared/lessons/electingLeader';
import { mpNode } from '../../shared/lessons/look';
import { naiveRunner } from './players';
import { BOT_SEEDS, legal, linesOf, playToEnd, rerunFrom } from './helpers';

const runner = naiveRunner();
const name = (id: number): string => (id === 1 ? 'Ada (B)' : 'ABCDE'[id]!);

/** Every world and every command's events of a round, stepped on its own. */
function trace(round: LessonRound): { worlds: World[]; events: EngineEvent[][] } {
  const worlds = [createWorld(round.config)];
  const events: EngineEvent[][] = [];
  for (const command of round.log) {
    const result = step(worlds[worlds.length - 1]!, command);
    if (!result.ok) throw new Error(result.rejection.message);
    worlds.push(result.world);
    events.push([...result.events]);
  }
  return { worlds, events };
}

const crashIndex = (log: readonly Command[]): number => log.findIndex((c) => c.type === 'crash' && c.node === 0);

/** The runs for leader after A's crash, as "2.B at tick 24". */
function runsAfterCrash(round: LessonRound, worlds: World[]): string[] {
  const at = crashIndex(round.log);
  return round.log.flatMap((c, i) => (i > at && c.type === 'act' && c.action.kind === 'elect' ? [`${c.action.ballot}.${'ABCDE'[c.node]} at tick ${worlds[i + 1]!.tick}`] : []));
}

describe('lesson 14: electing the leader', () => {
  it('reaches every objective whatever the bots do: A leads, crashes, the suspecting nodes run at once and preempt each other, and a new leader takes the log on', () => {
    for (const botSeed of BOT_SEEDS) {
      const played = playToEnd(lesson, runner, botSeed);
      const reached = played.run.objectives.map((o) => o.reached!.step);
      expect([...reached].sort((a, b) => a - b)).toEqual(reached);
      const { worlds, events } = trace(played.round);
      const last = worlds[worlds.length - 1]!;
      const at = crashIndex(played.round.log);
      expect(at).toBeGreaterThan(0);
      // X was chosen under A's ballot before the crash.
      const x = last.global.chosen.find((c) => c.slot === 0)!;
      expect(x.decree).toBe('X');
      expect(x.step).toBeLessThan(at);
      // After it, more than one node ran, and at least one ballot was beaten: a REFUSE, or a run given up for a higher promise.
      const runs = played.round.log.filter((c, i) => i > at && c.type === 'act' && c.action.kind === 'elect');
      expect(new Set(runs.map((c) => (c as { node: number }).node)).size).toBeGreaterThanOrEqual(2);
      expect(runs.some((c) => (c as { node: number }).node === 1)).toBe(true);
      const refuses = events.slice(at).flat().filter((e) => e.type === 'sent' && e.message?.payload.kind === 'refuse').length;
      expect(refuses).toBeGreaterThan(0);
      // Y is chosen in slot 2 under the new leader's ballot, and B applied X, Y.
      const y = last.global.chosen.find((c) => c.decree === 'Y')!;
      expect(y.slot).toBe(1);
      expect(mpNode(last, y.node).durable.accepted[1]!.ballot.node).not.toBe(0);
      expect(mpNode(last, 1).durable.chosen.slice(0, mpNode(last, 1).durable.applied)).toEqual(['X', 'Y']);
    }
  });

  it('comes to an end with bots on every seat: done, or B, a bot that answers first, promised another run before its own timer fired', () => {
    const ends = BOT_SEEDS.slice(0, 8).map((botSeed) => playLesson(lesson, { botSeed }).run);
    expect(ends.filter((run) => run.status === 'done').length).toBeGreaterThan(0);
    for (const run of ends.filter((r) => r.status !== 'done')) {
      expect(run.deadEnd!.id).toBe('led-without-running');
      const b = mpNode(run.world, 1);
      expect(b.durable.maxUsed).toBe(0);
      expect(b.durable.promised!.node).not.toBe(0);
      expect(b.durable.promised!.n).toBeGreaterThan(1);
    }
  });

  it('offers the player no run before A crashed: nobody runs at the start until the leader timers fire, and A then leads before B may run', () => {
    for (const botSeed of [1, 2, 3]) {
      // A player who runs whenever the rules let it.
      const played = playLesson(lesson, { botSeed, player: (_run, view) => legal(view, 'elect') ?? legal(view, 'promise') ?? legal(view, 'accept') });
      expect(played.run.deadEnd?.id).not.toBe('early-run');
      const { worlds } = trace(played.round);
      const at = crashIndex(played.round.log);
      expect(at).toBeGreaterThan(0);
      const runs = played.round.log.flatMap((c, i) => (c.type === 'act' && c.action.kind === 'elect' ? [{ node: c.node, i, tick: worlds[i + 1]!.tick }] : []));
      // A's run was the first, once its leader timer fired a whole timeout after the start; B ran only after the crash.
      expect(runs[0]).toMatchObject({ node: 0, tick: lesson.setup.settings.timeoutTicks });
      expect(runs.filter((r) => r.node === 1).every((r) => r.i > at)).toBe(true);
      // Before that tick no node may run; once it comes, A leads within it.
      const tick = lesson.setup.settings.timeoutTicks!;
      for (const w of worlds.filter((w) => w.tick < tick)) for (const n of w.nodes) expect(mpNode(w, n.id).volatile.electionDue).toBe(false);
      const last = worlds.filter((w) => w.tick === tick).at(-1)!;
      expect(mpNode(last, 0).volatile.lead).not.toBeNull();
      expect(mpNode(last, 1).volatile).toMatchObject({ leader: 0, electionDue: false });
    }
  });

  it('ends in a dead end when a student runs for leader at the start, against A, in a class where students hold B to E', () => {
    let run = applyScript(startLesson(lesson, { people: [1, 2, 3, 4] })).run;
    const act = (command: Command): void => {
      const next = advance(run, command);
      if (!next.ok) throw new Error(next.rejection.message);
      run = applyScript(next.run).run;
    };
    while (mpNode(run.world, 0).durable.maxUsed === 0) act({ type: 'tick' });
    // The leader timers fired together: A runs, and its PREPARE reaches every node; B, whose timer fired too, may run.
    expect(run.world.tick).toBe(lesson.setup.settings.timeoutTicks);
    expect(run.status).toBe('playing');
    expect(mpNode(run.world, 1).inbox.some((m) => m.payload.kind === 'prepare')).toBe(true);
    act({ type: 'act', node: 1, action: { kind: 'elect', ballot: 2 } });
    expect(run.status).toBe('dead-end');
    expect(run.deadEnd!.id).toBe('early-run');
  });

  it('tells the crash, every run for leader, the refusals and the new leader, from the round itself', () => {
    for (const botSeed of [1, 5]) {
      const played = playToEnd(lesson, runner, botSeed);
      const { worlds, events } = trace(played.round);
      const at = crashIndex(played.round.log);
      const crashTick = worlds[at + 1]!.tick;
      const debrief = lesson.debrief(played.round);
      expect(linesOf(debrief, 'outcome')).toEqual(['The log: X, Y.']);
      const [blocked] = linesOf(debrief, 'blocked');
      expect(blocked).toContain(`A crashed at tick ${crashTick}. Under the naive policy,`);
      const runs = runsAfterCrash(played.round, worlds);
      expect(blocked).toContain(`: ${runs.slice(0, -1).join(', ')} and ${runs.at(-1)}.`);
      const sent = (kind: string): number => events.slice(at + 1).flat().filter((e) => e.type === 'sent' && e.message?.payload.kind === kind).length;
      expect(blocked).toContain(`${sent('prepare')} PREPAREs were sent and ${sent('refuse')} REFUSE`);
      // The leader the round ended with, and the first world it led in after the crash.
      const last = worlds[worlds.length - 1]!;
      const holder = last.nodes.find((n) => !n.crashed && mpNode(last, n.id).volatile.lead !== null)!;
      const ballot = mpNode(last, holder.id).volatile.lead!.ballot;
      const won = worlds.find((w, i) => i > at + 1 && mpNode(w, holder.id).volatile.lead?.ballot.n === ballot.n)!.tick;
      expect(linesOf(debrief, 'story')[0]).toContain(`${name(holder.id)} won with ballot ${ballot.n}.${'ABCDE'[holder.id]} at tick ${won}, ${won - crashTick} ticks after A crashed`);
      const y = last.global.chosen.find((c) => c.decree === 'Y')!;
      expect(linesOf(debrief, 'commit-point')[0]).toContain(`${name(y.node)}'s acceptance at tick ${y.tick} was the commit point of slot 2`);
    }
  });

  it('tells what the ranked policy would have done with the same round, as a re-run of its own shows', () => {
    const played = playToEnd(lesson, runner, 3);
    const { world, worlds } = rerunFrom(lesson, played.round, 0, null, { election: 'ranked' });
    const crashed = worlds.findIndex((w) => w.nodes[0]!.crashed);
    expect(crashed).toBeGreaterThan(0);
    const crashTick = worlds[crashed]!.tick;
    const after = worlds.slice(crashed);
    // Under ranked, B alone ran after the crash: the nodes that ever used a ballot besides A.
    expect(world.nodes.filter((n) => n.id !== 0 && mpNode(world, n.id).durable.maxUsed > 0).map((n) => n.id)).toEqual([1]);
    const won = after.find((w) => mpNode(w, 1).volatile.lead !== null)!;
    const ballot = mpNode(won, 1).volatile.lead!.ballot;
    const [sentence] = linesOf(lesson.debrief(played.round), 'what-if');
    expect(sentence).toContain(`Under the ranked policy, the same round, played on by bots, 1 node would have run for leader after A crashed at tick ${crashTick}`);
    expect(sentence).toContain(`with 4 PREPAREs and 0 REFUSEs; B would have won with ballot ${ballot.n}.B ${won.tick - crashTick} ticks after the crash`);
  });
});

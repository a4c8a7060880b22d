import { describe, expect, it } from 'vitest';
import type { Command } from '../../shared/engine/types';
import { lessonConfig, playLesson } from '../../shared/lessons';
import { leaderSerializes as lesson } from '../../shared/lessons/leaderSerializes';
import { splitVote } from '../../shared/lessons/splitVote';
import { mpNode, voter } from '../../shared/lessons/look';
import { leader } from './players';
import { BOT_SEEDS, legal, linesOf, playToEnd, rerunFrom, worldsOf } from './helpers';

const lead = leader();

describe('lesson 13: leaders serialize decrees', () => {
  it('reaches every objective whatever the bots do: the player leads, and X, Y and Z are each chosen in a slot of their own', () => {
    for (const botSeed of BOT_SEEDS) {
      const played = playToEnd(lesson, lead, botSeed);
      const reached = played.run.objectives.map((o) => o.reached!.step);
      expect([...reached].sort((a, b) => a - b)).toEqual(reached);
      const worlds = worldsOf(played.round.config, played.round.log);
      const last = worlds[worlds.length - 1]!;
      // One commit point per slot, slots 1 to 3, each request in one of them, all under A's ballot.
      const slots = last.global.chosen.map((c) => c.slot).sort();
      expect(slots).toEqual([0, 1, 2]);
      expect(last.global.chosen.map((c) => c.decree).sort()).toEqual(['X', 'Y', 'Z']);
      for (const c of last.global.chosen) expect(mpNode(last, c.node).durable.accepted[c.slot]!.ballot.node).toBe(0);
      expect(last.global.stuck).toBe(false);
      // Every node applied the same log, in the order the leader put the requests in.
      const order = played.round.log.flatMap((c) => (c.type === 'act' && c.action.kind === 'propose' ? [String(c.action.value)] : []));
      for (const n of last.nodes) expect(mpNode(last, n.id).durable.chosen.slice(0, 3)).toEqual(order);
      // Only A ever ran for leader, once.
      expect(played.round.log.filter((c) => c.type === 'act' && c.action.kind === 'elect').map((c) => (c as { node: number }).node)).toEqual([0]);
    }
  });

  it('offers the player its run once its leader timer fired, a whole timeout after the start, and not before', () => {
    const played = playToEnd(lesson, lead, 1);
    const worlds = worldsOf(played.round.config, played.round.log);
    const at = played.round.log.findIndex((c) => c.type === 'act' && c.action.kind === 'elect');
    expect(worlds[at + 1]!.tick).toBe(lesson.setup.settings.timeoutTicks);
    for (const w of worlds.slice(0, at + 1)) if (w.tick < lesson.setup.settings.timeoutTicks!) expect(mpNode(w, 0).volatile.electionDue).toBe(false);
  });

  it('reaches its end with bots on every seat', () => {
    for (const botSeed of BOT_SEEDS.slice(0, 4)) expect(playLesson(lesson, { botSeed }).run.status).toBe('done');
  });

  it('ends in a dead end when the player never runs and B takes over in its turn', () => {
    const played = playLesson(lesson, { botSeed: 1, player: (_run, view) => legal(view, 'promise') ?? legal(view, 'accept') });
    expect(played.run.status).toBe('dead-end');
    expect(played.run.deadEnd!.id).toBe('other-leader');
    expect(mpNode(played.run.world, 1).volatile.lead).not.toBeNull();
  });

  it('tells each slot\'s commit point, whose move it was and who knew when, from the round itself', () => {
    for (const botSeed of [2, 7]) {
      const played = playToEnd(lesson, lead, botSeed);
      const worlds = worldsOf(played.round.config, played.round.log);
      const last = worlds[worlds.length - 1]!;
      const debrief = lesson.debrief(played.round);
      const order = played.round.log.flatMap((c) => (c.type === 'act' && c.action.kind === 'propose' ? [String(c.action.value)] : []));
      expect(linesOf(debrief, 'outcome')).toEqual([`The log was decided in this order: ${order.join(', ')}. Each request got a slot of its own, and no slot split.`]);
      const [story] = linesOf(debrief, 'story');
      expect(story).toMatch(/^Ada \(A\) led, and gave each request the next free slot as it came: /);
      expect(story).toContain(`${order[0]} in slot 1 at tick`);
      const commits = linesOf(debrief, 'commit-point');
      expect(commits).toHaveLength(3);
      for (const c of [...last.global.chosen].sort((a, b) => a.slot - b.slot)) {
        const who = c.node === 0 ? 'Ada (A)' : 'ABC'[c.node];
        expect(commits[c.slot]).toContain(`Slot ${c.slot + 1}: ${c.decree} was chosen at tick ${c.tick}, with ${who}'s acceptance`);
        expect(commits[c.slot]).toContain('under ballot 1.A');
        // When each node learned what the slot holds: the first world where its own state shows it.
        const first = last.nodes.map((n) => ({ n: n.id, tick: worlds.find((w) => mpNode(w, n.id).durable.chosen[c.slot] != null)!.tick })).sort((a, b) => a.tick - b.tick || a.n - b.n);
        const known = linesOf(debrief, 'knowledge')[c.slot]!;
        expect(known).toContain(`Who knew what slot ${c.slot + 1} holds, and when: `);
        for (const k of first) expect(known).toContain(`${k.n === 0 ? 'Ada (A)' : 'ABC'[k.n]} at tick ${k.tick}`);
      }
      expect(debrief.commitPoint!.slot).toBe(last.global.chosen[0]!.slot);
    }
  });

  it('tells what the same three requests did without a leader, as a re-run of the split vote of its own shows', () => {
    const played = playToEnd(lesson, lead, 4);
    const requests = played.round.log.filter((c): c is Command & { type: 'propose' } => c.type === 'propose');
    expect(requests.map((r) => [r.node, r.decree])).toEqual([[0, 'X'], [1, 'Y'], [2, 'Z']]);
    const { world, worlds } = rerunFrom(splitVote, { config: lessonConfig(splitVote), log: requests, players: [] }, requests.length, null);
    expect(world.global.chosen).toEqual([]);
    expect(world.global.stuck).toBe(true);
    const stuckAt = worlds.find((w) => w.global.stuck)!.tick;
    const votes = world.nodes.map((n) => `${'ABC'[n.id]} for ${voter(world, n.id).durable.vote}`);
    const [sentence] = linesOf(lesson.debrief(played.round), 'what-if');
    expect(sentence).toBe(
      `Without a leader, the same three requests at the same moment, voted on as in the split vote and played on by bots, would have chosen nothing: the votes split (${votes[0]}, ${votes[1]} and ${votes[2]}) at tick ${stuckAt}, and locked votes kept the vote stuck for good.`,
    );
  });
});

/**
 * Timers: a protocol sets and cancels them, the clock fires them as a timeout the node receives, a
 * crash stops them, the node's view shows them with the ticks left, and bots act on a timeout the way
 * a player does, through the move it opens.
 */
import { describe, expect, it } from 'vitest';
import { botDecide } from '../../shared/bots';
import { StepContext } from '../../shared/engine/context';
import { Rng } from '../../shared/engine/rng';
import type { World } from '../../shared/engine/types';
import { eventsFor, godView, legalActions, sentViewOf, viewOf } from '../../shared/engine/view';
import { protocolFor, protocolNames } from '../../shared/protocols';
import { runningTimers, timerSentence } from '../../client/src/describe';
import { mustStep, nextTimerAtProblem, swarmWorlds, worldFrom } from './helpers';

const TPC = ['config 2pc nodes=3 latency=1-1 timeout=5', 'propose A X', 'act A prepare decree=X'];
const PAXOS = ['config paxos nodes=3 latency=1-1 timeout=8', 'propose A X', 'act A prepare ballot=1'];

/** Ticks until the bot of `node` does something, trying `kind` from many random states; the commands it chose. */
function botMoves(world: World, node: number, tries = 200): string[] {
  const kinds = new Set<string>();
  for (let seed = 0; seed < tries; seed++) {
    const command = botDecide('eager', viewOf(world, node), Rng.fromSeed(seed));
    if (command?.type === 'act') kinds.add(command.action.kind);
  }
  return [...kinds].sort();
}

describe('timers', () => {
  it('start with the round where the protocol says so, and show in the node\'s own view with the ticks left', () => {
    const world = worldFrom(TPC);
    // Each participant waits for PREPARE from tick 0; the coordinator waits for votes from its PREPARE.
    expect(world.nodes.map((n) => n.timers)).toEqual([
      [{ name: 'timeout', setAt: 0, firesAt: 5 }],
      [{ name: 'timeout', setAt: 0, firesAt: 5 }],
      [{ name: 'timeout', setAt: 0, firesAt: 5 }],
    ]);
    const later = mustStep(world, { type: 'tick' }).world;
    const view = sentViewOf(later, 1);
    expect(view.self.timers).toEqual([{ name: 'timeout', setAt: 0, firesAt: 5 }]);
    const [timer] = runningTimers(view.protocol, view.self, view.now);
    expect(timerSentence(timer!)).toBe('Your timeout fires in 4 ticks: then you may give up and abort.');
    // Another node's timers are its own: a view shows only its node's, the god view every node's.
    expect(JSON.stringify(view.peers)).not.toContain('timeout');
    expect(godView(later).nodes.map((n) => n.timers.length)).toEqual([1, 1, 1]);
  });

  it('say what firing will mean for the node as it is now', () => {
    const voted = worldFrom([...TPC, 'tick', 'act B vote msg=1 vote=yes']);
    const [timer] = runningTimers('2pc', voted.nodes[1]!, voted.tick);
    expect(timerSentence(timer!)).toBe('Your timeout fires in 4 ticks: then it is time to ask the others what happened.');
    const paxos = worldFrom(PAXOS);
    expect(timerSentence(runningTimers('paxos', paxos.nodes[0]!, 0)[0]!)).toBe('Your retry timer fires in 8 ticks: then it is time to give up on ballot 1.A and start a higher one.');
    // A Paxos node without a request waits six timeouts from the round's start before it runs a ballot to find out.
    expect(timerSentence(runningTimers('paxos', paxos.nodes[1]!, 0)[0]!)).toBe('Your retry timer fires in 48 ticks: then it is time to start a ballot to find out what was chosen.');
  });

  it('fire at the tick they fall due, after that tick\'s messages, as a timeout the node is told of', () => {
    let world = worldFrom([...TPC, 'drop 1', 'drop 2', 'tick 4']);
    expect(world.nodes[1]!.timers).toHaveLength(1);
    const { world: next, events } = mustStep(world, { type: 'tick' });
    world = next;
    expect(world.nodes.map((n) => n.timers)).toEqual([[], [], []]);
    const fired = events.filter((e) => e.type === 'timeout');
    // Node by node, in id order.
    expect(fired.map((e) => [e.node, e.visibleTo])).toEqual([
      [0, [0]],
      [1, [1]],
      [2, [2]],
    ]);
    expect(eventsFor(events, 0).map((e) => e.text)).toEqual(["A's timeout fired: it has waited long enough for the votes, and without every YES it may abort."]);
    expect(world.nodes.map((n) => (n.volatile as { timedOut: boolean }).timedOut)).toEqual([true, true, true]);
  });

  it('are stopped by a crash, and a recovered node starts the ones its protocol says', () => {
    let world = worldFrom([...TPC, 'tick 2', 'crash B']);
    expect(world.nodes[1]!.timers).toEqual([]);
    // While down, nothing fires for it.
    const quiet = mustStep(worldFrom([...TPC, 'tick 2', 'crash B', 'tick 2']), { type: 'tick' });
    expect(quiet.events.filter((e) => e.type === 'timeout').map((e) => e.node)).toEqual([0, 2]);
    world = mustStep(world, { type: 'recover', node: 1 }).world;
    expect(world.nodes[1]!.timers).toEqual([{ name: 'timeout', setAt: 2, firesAt: 7 }]);
    // A coordinator that comes back has lost its votes and runs no timer: abort is all it can safely do.
    const coordinator = worldFrom([...TPC, 'tick 2', 'crash A', 'recover A']);
    expect(coordinator.nodes[0]!.timers).toEqual([]);
  });

  it('are set again and cancelled by what the node does', () => {
    // Asking the peers starts the timeout again; an outcome cancels it.
    const asked = worldFrom([...TPC, 'tick', 'act B vote msg=1 vote=yes', 'tick 3', 'act B askPeers']);
    expect(asked.nodes[1]!.timers).toEqual([{ name: 'timeout', setAt: 4, firesAt: 9 }]);
    const decided = worldFrom([...TPC, 'tick', 'act B vote msg=1 vote=yes', 'act C vote msg=2 vote=yes', 'tick', 'act A decide outcome=commit', 'tick']);
    expect(decided.nodes.map((n) => n.timers)).toEqual([[], [], []]);
    // A Paxos node that learns the outcome has nothing left to retry.
    const learned = worldFrom(['config paxos nodes=3 latency=1-1', 'propose A X', 'act A prepare ballot=1', 'tick', 'act B promise msg=1', 'tick', 'act A propose value=X', 'tick', 'act B accept msg=4', 'tick']);
    expect(learned.nodes[0]!.durable).toMatchObject({ learned: 'X' });
    expect(learned.nodes[0]!.timers).toEqual([]);
  });

  it('open a move when they fire, which bots take through the same path as a player', () => {
    // A participant whose PREPARE was lost: no bot gives up before its timeout fires, and one does after.
    const waiting = worldFrom([...TPC, 'drop 1', 'tick 4']);
    expect(legalActions(waiting, 1)).toEqual([]);
    expect(botMoves(waiting, 1)).toEqual([]);
    const timedOut = mustStep(waiting, { type: 'tick' }).world;
    expect(legalActions(timedOut, 1)).toEqual([{ kind: 'abort' }]);
    expect(botMoves(timedOut, 1)).toEqual(['abort']);
    // The coordinator's bot aborts once its own timeout fired, and not before.
    expect(botMoves(waiting, 0)).toEqual([]);
    expect(botMoves(timedOut, 0)).toEqual(['decide']);
    expect(viewOf(timedOut, 0).self.volatile).toMatchObject({ timedOut: true });
  });

  it('tell a Paxos proposer when to try a higher ballot, and its bot does', () => {
    // A's PREPARE reaches nobody: until its retry timer fires its bot waits, then it starts ballot 2.
    const waiting = worldFrom([...PAXOS, 'drop 1', 'drop 2', 'tick 7']);
    expect(botMoves(waiting, 0)).toEqual([]);
    const { world: due, events } = mustStep(waiting, { type: 'tick' });
    expect(eventsFor(events, 0).map((e) => e.text)).toContain("A's retry timer fired: ballot 1.A has not won in time, so it may start a higher one.");
    expect(due.nodes[0]!.volatile).toMatchObject({ ballotDue: true });
    expect(botMoves(due, 0)).toEqual(['prepare']);
    // Starting the new ballot sets the timer again.
    const again = mustStep(due, { type: 'act', node: 0, action: { kind: 'prepare', ballot: 2 } }).world;
    expect(again.nodes[0]!.timers).toEqual([{ name: 'retry', setAt: 8, firesAt: 16 }]);
    expect(again.nodes[0]!.volatile).toMatchObject({ ballotDue: false });
  });

  it('keep the world\'s next timer tick no later than any running timer, so the ticks that skip looking fire nothing', () => {
    for (const protocol of protocolNames()) {
      let worlds = 0;
      let running = 0;
      let due = 0;
      let previous: World | null = null;
      for (const world of swarmWorlds(protocol, 15)) {
        expect(nextTimerAtProblem(world), `${protocol} at step ${world.step}`).toBeNull();
        if (world.nodes.some((n) => n.timers.length > 0)) running += 1;
        // A tick that brought a timer due: it fired, whether or not the tick looked at the nodes for it.
        if (previous && world.tick === previous.tick + 1 && previous.nodes.some((n) => n.timers.some((t) => t.firesAt <= world.tick))) {
          due += 1;
          expect(world.nodes.every((n) => n.timers.every((t) => t.firesAt > world.tick))).toBe(true);
        }
        previous = world;
        worlds += 1;
      }
      expect(worlds).toBeGreaterThan(1000);
      // Where timers ran (majority vote runs none), some fell due.
      if (running > 0) expect(due, protocol).toBeGreaterThan(0);
    }
    // A timeout that sets a timer again moves the next tick on; one cancelled leaves it early, which is safe.
    const fired = mustStep(worldFrom([...TPC, 'tick', 'act B vote msg=1 vote=yes', 'tick 3']), { type: 'tick' }).world;
    expect(fired.nextTimerAt).toBeNull();
    const asked = mustStep(fired, { type: 'act', node: 1, action: { kind: 'askPeers' } }).world;
    expect(asked.nextTimerAt).toBe(10);
    const decided = worldFrom([...TPC, 'tick', 'act B vote msg=1 vote=yes', 'act C vote msg=2 vote=yes', 'tick', 'act A decide outcome=commit', 'tick']);
    expect(decided.nodes.map((n) => n.timers)).toEqual([[], [], []]);
    expect(decided.nextTimerAt).toBe(5);
    expect(mustStep(worldFrom([...TPC, 'tick', 'act B vote msg=1 vote=yes', 'act C vote msg=2 vote=yes', 'tick', 'act A decide outcome=commit', 'tick 3']), { type: 'tick' }).world.nextTimerAt).toBeNull();
  });

  it('are only those the protocol declares, run at least a tick, and change the next world only', () => {
    const world = worldFrom(['config 2pc nodes=3 latency=1-1 timeout=5']);
    const ctx = new StepContext(world, protocolFor('2pc'));
    expect(() => ctx.setTimer(0, 'alarm', 3)).toThrow(/no timer "alarm"/);
    expect(() => ctx.setTimer(0, 'timeout', 0)).toThrow(/at least 1/);
    ctx.setTimer(1, 'timeout', 9);
    expect(ctx.node(1).timers).toEqual([{ name: 'timeout', setAt: 0, firesAt: 9 }]);
    ctx.cancelTimer(1, 'timeout');
    expect(ctx.node(1).timers).toEqual([]);
    // The world it was made from is untouched.
    expect(world.nodes[1]!.timers).toEqual([{ name: 'timeout', setAt: 0, firesAt: 5 }]);
  });
});

import { describe, expect, it } from 'vitest';
import { createWorld, makeConfig } from '../../shared/engine/world';
import { step } from '../../shared/engine/step';
import { godView, legalActions, ruleBreakingActions, viewOf } from '../../shared/engine/view';
import type { Command, World } from '../../shared/engine/types';
import { pictureOf } from '../../client/src/picture';
import { actionLabel, commitPointSentence, noCommitPointSentence, nodeStateLines, nodeSummaryLines, outcomeSentence, protocolOptions, splitLegal, timeoutHint } from '../../client/src/describe';
import { allProtocols } from '../../shared/protocols';
import { twoPhaseState } from '../../shared/protocols/2pc/present';
import type { ParticipantDurable } from '../../shared/protocols/2pc/state';
import { playedRound } from '../engine/helpers';
import { Scoreboard } from '../../client/src/scoreboard';
import { chooseRenderer, isSoftwareRenderer } from '../../client/src/renderer';
import { codeFromPath, codeProblem, nicknameProblem } from '../../client/src/ui/menu';
import { parseDecrees, toSetupMessage, DEFAULT_VALUES } from '../../client/src/ui/setup';
import { roundSetupSchema } from '../../shared/wire/messages';
import { waitingText } from '../../client/src/ui/play';
import { initialJsGzipBytes, percentile } from '../../scripts/bench/client';

function run(world: World, commands: Command[]): World {
  for (const command of commands) {
    const result = step(world, command);
    if (!result.ok) throw new Error(`${command.type}: ${result.rejection.message}`);
    world = result.world;
  }
  return world;
}

function ticks(world: World, n: number): World {
  return run(world, Array.from({ length: n }, () => ({ type: 'tick' as const })));
}

/** Majority vote on 3 nodes: A and B vote X, C votes nothing; messages settle. */
function majorityRound(): World {
  let w = createWorld(makeConfig('majority', 3, 7, { latencyMin: 1, latencyMax: 1 }));
  w = run(w, [
    { type: 'propose', node: 0, decree: 'X' },
    { type: 'act', node: 0, action: { kind: 'putForward', decree: 'X' } },
  ]);
  w = ticks(w, 1);
  w = run(w, [
    { type: 'act', node: 0, action: { kind: 'vote', decree: 'X' } },
    { type: 'act', node: 1, action: { kind: 'vote', decree: 'X' } },
  ]);
  return w;
}

describe('pictureOf', () => {
  it('draws and tells no running timer once the round is over: its clock stands', () => {
    const w = ticks(createWorld(makeConfig('multipaxos', 3, 1, { latencyMin: 1, latencyMax: 1, timeoutTicks: 12 })), 3);
    // While the round runs, each node's leader timer runs: it is drawn as a ring and told in its lines.
    const running = pictureOf({ view: godView(w) });
    expect(running.nodes.every((n) => n.timers.length === 1)).toBe(true);
    expect(running.nodes[0]!.lines.some((l) => l.startsWith('leader timer fires in 9 ticks'))).toBe(true);
    for (const view of [godView(w), viewOf(w, 1)]) {
      const over = pictureOf({ view, over: true });
      for (const n of over.nodes) {
        expect(n.timers).toEqual([]);
        expect(n.lines.some((l) => l.includes('timer fires'))).toBe(false);
      }
    }
    expect(pictureOf({ view: viewOf(w, 1), over: true }).nodes[1]!.lines.length).toBeGreaterThan(0);
  });

  it('shows a student only their own node’s state, and hides the contents of others’ messages', () => {
    const w = majorityRound();
    const picture = pictureOf({ view: viewOf(w, 2) });
    expect(picture.god).toBe(false);
    expect(picture.viewer).toBe(2);
    const [a, b, c] = picture.nodes;
    expect(c!.isSelf).toBe(true);
    expect(c!.lines.length).toBeGreaterThan(0);
    for (const other of [a!, b!]) {
      expect(other.lines).toEqual([]);
      expect(other.summary).toEqual([]);
      expect(other.crashed).toBeNull();
      expect(other.learned).toBeNull();
    }
    expect(picture.messages.length).toBeGreaterThan(0);
    for (const m of picture.messages) {
      if (m.to === 2 || m.from === 2) expect(m.label).not.toBeNull();
      else expect([m.label, m.kind]).toEqual([null, null]);
    }
    expect(picture.partition).toBeNull();
  });

  it('shows every node in the god view, with the commit point and selections', () => {
    let w = ticks(majorityRound(), 2);
    w = run(w, [{ type: 'crash', node: 2 }, { type: 'partition', groups: [[0]] }]);
    const god = godView(w);
    const cp = god.global.chosen[0]!;
    expect(cp).toBeDefined();
    const picture = pictureOf({ view: god, selectedNodes: new Set([1]), commitPoints: [cp], roster: { students: [], group: 1, seats: [{ node: 0, holder: 'student', nickname: 'Ada', autopilot: false }] } });
    expect(picture.god).toBe(true);
    expect(picture.nodes.every((n) => n.lines.length > 0)).toBe(true);
    expect(picture.nodes[2]!.crashed).toBe(true);
    expect(picture.nodes[2]!.lines[0]).toContain('CRASHED');
    expect(picture.nodes[1]!.selected).toBe(true);
    expect(picture.nodes.filter((n) => n.commit).map((n) => n.id)).toEqual([cp.node]);
    expect(picture.nodes[0]!.title).toBe('A · Ada');
    expect(picture.partition).toEqual([0, 1, 1]);
  });
});

describe('describe', () => {
  it('words a majority node’s state: locked vote, tally, learned decree', () => {
    const w = ticks(majorityRound(), 2);
    const a = godView(w).nodes[0]!;
    const lines = nodeStateLines('majority', a, 3);
    expect(lines).toContain('voted X (locked)');
    expect(lines).toContain('tally X: A and B (2 of 3 votes, a majority)');
    expect(lines).toContain('learned: X is chosen');
    expect(nodeSummaryLines('majority', a)).toEqual(['voted X', 'tally X:2', 'learned X']);
  });

  it('keeps durable state and drops volatile state for a crashed node', () => {
    const w = run(ticks(majorityRound(), 2), [{ type: 'crash', node: 0 }]);
    const a = godView(w).nodes[0]!;
    const lines = nodeStateLines('majority', a, 3);
    expect(lines[0]).toContain('CRASHED');
    expect(lines).toContain('voted X (locked)');
    expect(lines.some((l) => l.startsWith('tally'))).toBe(false);
  });

  it('words Paxos promises and acceptances', () => {
    let w = createWorld(makeConfig('paxos', 3, 1, { latencyMin: 1, latencyMax: 1 }));
    w = run(w, [{ type: 'act', node: 0, action: { kind: 'prepare', ballot: 1 } }]);
    w = ticks(w, 1);
    const b = viewOf(w, 1);
    const prepare = b.inbox[0]!;
    expect(prepare.label).toBe('PREPARE 1.A');
    const { byMessage, general } = splitLegal(b.legal);
    expect(byMessage.get(prepare.id)!.map((a) => actionLabel('paxos', a))).toEqual(['Promise', 'Ignore']);
    expect(general.map((a) => actionLabel('paxos', a))).toEqual(['Start ballot 2 (send PREPARE)']);
    w = run(w, [{ type: 'act', node: 1, action: { kind: 'promise', msg: prepare.id } }]);
    expect(nodeStateLines('paxos', godView(w).nodes[1]!, 3).slice(0, 2)).toEqual(['promised 1.A', 'accepted nothing']);
  });

  it('never says a 2PC node learned something "chosen": it committed', () => {
    let t = createWorld(makeConfig('2pc', 3, 1, { latencyMin: 1, latencyMax: 1 }));
    t = ticks(run(t, [{ type: 'propose', node: 0, decree: 'X' }, { type: 'act', node: 0, action: { kind: 'prepare', decree: 'X' } }]), 1);
    t = ticks(run(t, [1, 2].map((node) => ({ type: 'act' as const, node, action: { kind: 'vote', msg: node, vote: 'yes' } }))), 1);
    t = ticks(run(t, [{ type: 'act', node: 0, action: { kind: 'decide', outcome: 'commit' } }]), 1);
    const b = godView(t).nodes[1]!;
    expect(b.learned).toEqual(['X']);
    expect(nodeStateLines('2pc', b, 3)).toEqual(['committed']);
    expect(nodeSummaryLines('2pc', b)).toEqual(['committed']);
  });

  it('tells the 2PC states apart', () => {
    const facts = (durable: Omit<ParticipantDurable, 'role' | 'decree'>) => ({ durable: { role: 'participant' as const, decree: 'X', ...durable } });
    expect(twoPhaseState(facts({ vote: null, outcome: null }))).toBe('working: has not voted');
    expect(twoPhaseState(facts({ vote: 'yes', outcome: null }))).toBe('voted YES: in doubt');
    expect(twoPhaseState(facts({ vote: 'yes', outcome: 'commit' }))).toBe('committed');
    expect(twoPhaseState(facts({ vote: 'no', outcome: 'abort' }))).toBe('aborted');
  });

  it('offers every registered protocol in the menus, and says in the setup form what the timeout is for in each that uses one', () => {
    expect(protocolOptions('majority')).toEqual([
      { value: '2pc', label: 'Two-phase commit', selected: false },
      { value: 'majority', label: 'Majority vote', selected: true },
      { value: 'votelog', label: 'Majority vote, slot by slot', selected: false },
      { value: 'paxos', label: 'Paxos', selected: false },
      { value: 'multipaxos', label: 'Multi-Paxos', selected: false },
      { value: 'raft', label: 'Raft', selected: false },
    ]);
    expect(timeoutHint()).toBe(
      'How long a 2PC node waits before it may give up, a Paxos proposer before it tries again, a Multi-Paxos follower goes without a heartbeat before it suspects the leader, and a Raft follower without word from a leader before it may stand for election (drawn at random from half of it to all of it, at least one round trip and at most five to ten, unless the round sets its own range). It must be at least one round trip.',
    );
  });

  it('labels a move in the words of its own protocol', () => {
    expect(actionLabel('2pc', { kind: 'vote', msg: 3, vote: 'yes' })).toBe('Vote YES');
    expect(actionLabel('majority', { kind: 'vote', decree: 'X' })).toBe('Vote for X');
    expect(actionLabel('2pc', { kind: 'prepare', decree: 'X' })).toBe('Begin X (send PREPARE)');
    expect(actionLabel('paxos', { kind: 'prepare', ballot: 3 })).toBe('Start ballot 3 (send PREPARE)');
    expect(actionLabel('paxos', { kind: 'mystery' })).toBe('mystery');
  });

  it('labels every kind of move of every registered protocol, from the legal and rule-breaking moves of played rounds', () => {
    expect(allProtocols().length).toBeGreaterThanOrEqual(3);
    for (const protocol of allProtocols()) {
      const seen = new Map<string, Set<string>>();
      for (const sandbox of [false, true]) {
        for (const seed of [1, 2, 3]) {
          for (const world of playedRound(protocol.name, seed, 400, { sandbox })) {
            for (const node of world.nodes) {
              const legal = legalActions(world, node.id);
              const breaking = ruleBreakingActions(world, node.id).map((m) => m.action);
              for (const moves of [legal, breaking]) {
                // A player tells the buttons of one message (or of the moves that stand alone) apart by their labels.
                const { byMessage, general } = splitLegal(moves);
                for (const group of [...byMessage.values(), general]) {
                  const labels = group.map((a) => actionLabel(protocol.name, a));
                  expect(new Set(labels).size, `${protocol.name}: ${labels.join(' | ')}`).toBe(labels.length);
                }
                for (const action of moves) {
                  const label = actionLabel(protocol.name, action);
                  expect(label, JSON.stringify(action)).toMatch(/^[A-Z][^{}]*$/);
                  expect(label, JSON.stringify(action)).not.toMatch(/undefined|null|NaN|\[object/);
                  seen.set(action.kind, (seen.get(action.kind) ?? new Set()).add(label));
                }
              }
            }
          }
        }
      }
      // Every kind of move the protocol has came up, as a legal or a rule-breaking move, and got words of its own.
      expect([...seen.keys()].sort(), protocol.name).toEqual(Object.keys(protocol.actions).sort());
      for (const [kind, labels] of seen) expect([...labels].some((l) => l !== kind)).toBe(true);
    }
  });

  it('writes the commit point as the reveal tells it', () => {
    const cp = { slot: 0, decree: 'X', step: 9, tick: 412, node: 3, nodeKnew: false, voters: [0, 2, 3] };
    expect(commitPointSentence('majority', cp)).toBe(
      "X was chosen when node D's vote was cast at tick 412. D did not know: its own view could not show the majority yet. The majority: A, C and D.",
    );
    expect(commitPointSentence('2pc', { ...cp, node: 0, nodeKnew: true, voters: [1, 2, 3, 4] }, undefined, 5)).toBe(
      'X was committed when node A, the coordinator, logged COMMIT at tick 412. A knew at once. Every participant had voted YES: B, C, D and E.',
    );
  });

  it('counts a tally as the event log does, and never beyond the nodes there are', () => {
    // Majority vote on 5 nodes: A, B, C and D vote X; A hears all four.
    let w = createWorld(makeConfig('majority', 5, 3, { latencyMin: 1, latencyMax: 1 }));
    w = run(w, [{ type: 'propose', node: 0, decree: 'X' }, { type: 'act', node: 0, action: { kind: 'putForward', decree: 'X' } }]);
    w = run(ticks(w, 1), [1, 2, 3].map((node) => ({ type: 'act' as const, node, action: { kind: 'vote', decree: 'X' } })));
    const result = step(w, { type: 'tick' });
    if (!result.ok) throw new Error('tick refused');
    const learned = result.events.find((e) => e.type === 'learned' && e.node === 0)!;
    expect(learned.text).toBe('A learned that X is chosen (its tally shows 3 of 5 votes, a majority).');
    const a = () => nodeStateLines('majority', godView(w).nodes[0]!, 5);
    w = result.world;
    expect(a()).toContain('tally X: B, C and D (3 of 5 votes, a majority)');
    w = run(w, [{ type: 'act', node: 0, action: { kind: 'vote', decree: 'X' } }]);
    expect(a()).toContain('tally X: B, C, D and A (4 of 5 votes, a majority)');
    // Paxos promises and 2PC votes are counted the same way: out of the nodes (participants) there are.
    let p = createWorld(makeConfig('paxos', 3, 1, { latencyMin: 1, latencyMax: 1 }));
    p = run(p, [{ type: 'act', node: 0, action: { kind: 'prepare', ballot: 1 } }]);
    p = ticks(p, 1);
    p = ticks(run(p, [1, 2].map((node) => ({ type: 'act' as const, node, action: { kind: 'promise', msg: node } }))), 1);
    expect(nodeStateLines('paxos', godView(p).nodes[0]!, 3)).toContain('ballot 1.A: promises from A, B and C (3 of 3 promises, a majority)');
    let t = createWorld(makeConfig('2pc', 3, 1, { latencyMin: 1, latencyMax: 1 }));
    t = ticks(run(t, [{ type: 'propose', node: 0, decree: 'X' }, { type: 'act', node: 0, action: { kind: 'prepare', decree: 'X' } }]), 1);
    t = ticks(run(t, [{ type: 'act', node: 1, action: { kind: 'vote', msg: 1, vote: 'yes' } }]), 1);
    expect(nodeStateLines('2pc', godView(t).nodes[0]!, 3)).toContain('votes: B YES (1 of 2 participants voted; COMMIT needs a YES from all 2)');
  });
});

describe('waiting for a round', () => {
  it('tells a student the instructor starts it, and a solo player that they do', () => {
    expect(waitingText('student')).toBe('Waiting for the instructor to start the round.');
    expect(waitingText('solo')).toBe('The next round is ready: press Start when you are.');
  });
});

describe('reveal wording', () => {
  it('speaks of transactions for 2PC and of decrees otherwise', () => {
    expect(outcomeSentence('2pc', 'abort', false)).toBe('Decided: ABORT. The transaction did not happen.');
    expect(outcomeSentence('2pc', null, false)).toContain('never logged a decision');
    expect(outcomeSentence('paxos', 'X', false)).toBe('Decided: X.');
    expect(outcomeSentence('majority', null, true)).toContain('the vote split');
    expect(noCommitPointSentence('2pc', 'abort')).toContain('aborted');
    expect(noCommitPointSentence('majority', null)).toContain('majority');
  });
});

describe('Scoreboard', () => {
  it('keeps a row per round: decided, ticks to decision, messages sent, rejections per student', () => {
    const board = new Scoreboard();
    board.roster({ students: [{ nickname: 'Ada', group: 1, node: 0, connected: true, autopilot: false, rejections: 2 }], group: 1, seats: [] });
    const info = (phase: 'setup' | 'running' | 'ended', id: string | null) => ({ id, phase, protocol: 'majority' as const, nodes: 3, speed: 1, tick: 0, sandbox: false });
    let w = majorityRound();
    board.observe(info('setup', null), godView(w), []);
    expect(board.rows).toHaveLength(0);
    board.observe(info('running', 'r1'), godView(w), []);
    board.roster({ students: [{ nickname: 'Ada', group: 1, node: 0, connected: true, autopilot: false, rejections: 5 }], group: 1, seats: [] });
    w = ticks(w, 2);
    const god = godView(w);
    board.observe(info('running', 'r1'), god, []);
    const row = board.rows[0]!;
    expect(row.rejections).toEqual({ Ada: 3 });
    expect(row.decisionTick).toBe(god.global.chosen[0]!.tick);
    expect(row.messagesSent).toBeGreaterThanOrEqual(0);
    board.finish(info('ended', 'r1'), { god, outcome: 'X', commitPoints: god.global.chosen, roundId: 'r1', group: 1, scoreboard: null });
    expect(board.rows[0]!.finished).toBe(true);
    expect(board.rows[0]!.outcome).toBe('X');
    board.observe(info('running', 'r2'), godView(createWorld(makeConfig('majority', 3, 8))), []);
    expect(board.rows.map((r) => r.round)).toEqual([1, 2]);
  });

  it("keeps one row per group's round while the instructor looks from group to group and back", () => {
    const board = new Scoreboard();
    const info = (id: string) => ({ id, phase: 'running' as const, protocol: 'majority' as const, nodes: 3, speed: 1, tick: 0, sandbox: false });
    const w = ticks(majorityRound(), 2);
    board.observe(info('g1'), godView(w), [], 1);
    board.observe(info('g2'), godView(createWorld(makeConfig('majority', 3, 8))), [], 2);
    board.observe(info('g1'), godView(w), [], 1);
    board.observe(info('g2'), godView(createWorld(makeConfig('majority', 3, 8))), [], 2);
    expect(board.rows.map((r) => [r.group, r.round, r.roundId])).toEqual([
      [1, 1, 'g1'],
      [2, 1, 'g2'],
    ]);
    // A group's next round is that group's second.
    board.observe(info('g1b'), godView(createWorld(makeConfig('majority', 3, 9))), [], 1);
    expect(board.rows.at(-1)).toMatchObject({ group: 1, round: 2 });
  });

  it('counts ticks to decision to the commit point, not to the end of the round', () => {
    const board = new Scoreboard();
    const info = (phase: 'running' | 'ended') => ({ id: 'r', phase, protocol: 'majority' as const, nodes: 3, speed: 1, tick: 0, sandbox: false });
    let w = majorityRound();
    const chosenAt = w.global.chosen[0]!.tick;
    board.observe(info('running'), godView(createWorld(makeConfig('majority', 3, 7))), []);
    // The instructor's client hears nothing more until the round ends, long after the commit point.
    w = ticks(w, 200);
    board.finish(info('ended'), { god: godView(w), outcome: 'X', commitPoints: w.global.chosen, roundId: 'r', group: 1, scoreboard: null });
    expect(board.rows[0]!.decisionTick).toBe(chosenAt);
    expect(chosenAt).toBeLessThan(5);
    // A 2PC ABORT has no commit point: its decision is the coordinator's logged ABORT.
    let t = createWorld(makeConfig('2pc', 3, 1, { latencyMin: 1, latencyMax: 1 }));
    t = run(ticks(run(t, [{ type: 'propose', node: 0, decree: 'X' }, { type: 'act', node: 0, action: { kind: 'prepare', decree: 'X' } }]), 3), [{ type: 'act', node: 0, action: { kind: 'decide', outcome: 'abort' } }]);
    const abortBoard = new Scoreboard();
    abortBoard.observe({ ...info('running'), protocol: '2pc' }, godView(ticks(t, 50)), []);
    expect(abortBoard.rows[0]!.decisionTick).toBe(3);
  });

  it('counts the rules each node broke in a sandbox round, by node and nickname', () => {
    const board = new Scoreboard();
    board.roster({ students: [{ nickname: 'Ada', group: 1, node: 0, connected: true, autopilot: false, rejections: 0 }], group: 1, seats: [{ node: 0, holder: 'student', nickname: 'Ada', autopilot: false }] });
    let w = createWorld(makeConfig('majority', 3, 7, { latencyMin: 1, latencyMax: 1, sandbox: true }));
    w = run(w, [
      { type: 'propose', node: 0, decree: 'X' },
      { type: 'propose', node: 0, decree: 'Y' },
      { type: 'act', node: 0, action: { kind: 'vote', decree: 'X' } },
      { type: 'act', node: 0, action: { kind: 'vote', decree: 'Y' } },
      { type: 'act', node: 0, action: { kind: 'vote', decree: 'X' } },
    ]);
    board.observe({ id: 'r', phase: 'running', protocol: 'majority', nodes: 3, speed: 1, tick: 0, sandbox: true }, godView(w), []);
    expect(board.rows[0]!.rulesBroken).toEqual({ 'A (Ada)': 2 });
  });

  it('counts each message once, in flight or delivered', () => {
    const board = new Scoreboard();
    let w = createWorld(makeConfig('majority', 3, 2, { latencyMin: 3, latencyMax: 3 }));
    w = run(w, [{ type: 'propose', node: 0, decree: 'X' }, { type: 'act', node: 0, action: { kind: 'putForward', decree: 'X' } }]);
    const info = { id: 'r', phase: 'running' as const, protocol: 'majority' as const, nodes: 3, speed: 1, tick: 0, sandbox: false };
    board.observe(info, godView(w), []);
    const r = step(ticks(w, 2), { type: 'tick' });
    if (!r.ok) throw new Error('tick refused');
    board.observe(info, godView(r.world), r.events);
    expect(board.rows[0]!.messagesSent).toBe(2);
  });
});

describe('menu input', () => {
  it('checks join codes like the server does, in any case', () => {
    expect(codeProblem('k7mq4x')).toBeNull();
    expect(codeProblem('')).toMatch(/Type the join code/);
    expect(codeProblem('ABC')).toBe('A join code has 6 characters.');
    expect(codeProblem('ABCDE1')).toContain('no "1"');
  });

  it('checks nicknames: 1 to 24 characters after trimming', () => {
    expect(nicknameProblem('  Ada ')).toBeNull();
    expect(nicknameProblem('   ')).toMatch(/Choose a nickname/);
    expect(nicknameProblem('x'.repeat(24))).toBeNull();
    expect(nicknameProblem('x'.repeat(25))).toMatch(/at most 24/);
  });

  it('reads the code from /join/CODE', () => {
    expect(codeFromPath('/join/k7mq4x')).toBe('K7MQ4X');
    expect(codeFromPath('/join/K7MQ4X/')).toBe('K7MQ4X');
    expect(codeFromPath('/')).toBeNull();
    expect(codeFromPath('/join/')).toBeNull();
  });

  it('turns the setup form into a setup message', () => {
    expect(parseDecrees(' X, ,Y ,Z')).toEqual(['X', 'Y', 'Z']);
    expect(toSetupMessage({ ...DEFAULT_VALUES, nodes: 3, studentSeats: [0, 2, 4] }).studentSeats).toEqual([0, 2]);
    // The timeout goes as set; 0 (the default) leaves it to the engine, from the latency.
    expect(toSetupMessage(DEFAULT_VALUES).timeoutTicks).toBe(0);
    expect(toSetupMessage({ ...DEFAULT_VALUES, timeoutTicks: 120 }).timeoutTicks).toBe(120);
    // No timeouts is off unless the box is ticked, and the server accepts it either way.
    expect(toSetupMessage(DEFAULT_VALUES).noTimeouts).toBe(false);
    expect(roundSetupSchema.parse(toSetupMessage({ ...DEFAULT_VALUES, noTimeouts: true })).noTimeouts).toBe(true);
    // Raft's election timeouts go only with a Raft round; 0 leaves them to the engine.
    const raft = { ...DEFAULT_VALUES, protocol: 'raft', electionMin: 20, electionMax: 40 };
    expect(roundSetupSchema.parse(toSetupMessage(raft)).electionTimeout).toEqual({ min: 20, max: 40 });
    expect(toSetupMessage({ ...raft, protocol: 'paxos' }).electionTimeout).toEqual({ min: 0, max: 0 });
    expect(toSetupMessage({ ...raft, electionMin: 0 }).electionTimeout).toEqual({ min: 0, max: 0 });
  });
});

describe('renderer choice', () => {
  it('falls back to Canvas on software WebGL and honours ?renderer', () => {
    expect(isSoftwareRenderer('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)')).toBe(true);
    expect(isSoftwareRenderer('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(isSoftwareRenderer('ANGLE (Intel, Mesa Intel(R) UHD Graphics 620)')).toBe(false);
    expect(chooseRenderer(null, 'SwiftShader', true)).toBe('canvas');
    expect(chooseRenderer(null, 'NVIDIA GeForce', true)).toBe('webgl');
    expect(chooseRenderer('webgl', 'SwiftShader', true)).toBe('webgl');
    expect(chooseRenderer('webgl', null, false)).toBe('canvas');
    expect(chooseRenderer('canvas', 'NVIDIA GeForce', true)).toBe('canvas');
    expect(chooseRenderer(null, null, false)).toBe('canvas');
  });
});

describe('bench helpers', () => {
  it('takes nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 95)).toBe(95);
    expect(percentile([7], 95)).toBe(7);
  });

  it('measures only the JS the page loads first', async () => {
    const { mkdtempSync, writeFileSync, mkdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'quorum-gz-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<script type="module" crossorigin src="/assets/index.js"></script>');
    writeFileSync(join(dir, 'assets', 'index.js'), 'a'.repeat(10_000));
    writeFileSync(join(dir, 'assets', 'game.js'), 'lazy');
    const size = initialJsGzipBytes(dir);
    expect(size).toBeGreaterThan(10);
    expect(size).toBeLessThan(200);
  });
});

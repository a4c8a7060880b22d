import { describe, expect, it } from 'vitest';
import { step } from '../../shared/engine/step';
import { eventsFor, legalActions, ruleBreakingActions } from '../../shared/engine/view';
import { protocolFor, protocolNames } from '../../shared/protocols';
import type { World } from '../../shared/engine/types';
import type { TpcGlobal } from '../../shared/protocols/2pc';
import { checkInvariants } from '../../shared/invariants';
import { commandOf, mustStep, nodesFor, playedRound, worldFrom } from './helpers';

/**
 * Each row: a world built from a script, one more command, and the expected verdict: `null` for
 * accepted, or the rejection code. A refused command must leave the world exactly as it was.
 */
interface Row {
  name: string;
  script: string[];
  command: string;
  refused: string | null;
}

const TPC_PREPARED = ['config 2pc nodes=3 latency=1-1 timeout=5', 'propose A X', 'act A prepare decree=X', 'tick'];
const TPC_ALL_YES = [...TPC_PREPARED, 'act B vote msg=1 vote=yes', 'act C vote msg=2 vote=yes', 'tick'];

const twoPhaseRows: Row[] = [
  { name: 'the coordinator starts a requested transaction', script: ['config 2pc', 'propose A X'], command: 'act A prepare decree=X', refused: null },
  { name: 'a transaction needs a client request', script: ['config 2pc'], command: 'act A prepare decree=X', refused: 'not-requested' },
  { name: 'only the coordinator prepares', script: ['config 2pc', 'propose A X'], command: 'act B prepare decree=X', refused: 'not-coordinator' },
  { name: 'one transaction per round', script: [...TPC_PREPARED, 'propose A Y'], command: 'act A prepare decree=Y', refused: 'already-begun' },
  { name: 'the coordinator does not vote', script: TPC_PREPARED, command: 'act A vote msg=1 vote=yes', refused: 'not-participant' },
  { name: 'a participant votes on a PREPARE it holds', script: TPC_PREPARED, command: 'act B vote msg=1 vote=yes', refused: null },
  { name: 'a vote answers a PREPARE in the inbox', script: TPC_PREPARED, command: 'act B vote msg=2 vote=yes', refused: 'not-in-inbox' },
  { name: 'a vote is locked', script: [...TPC_PREPARED, 'act B vote msg=1 vote=yes'], command: 'act B vote msg=1 vote=no', refused: 'vote-locked' },
  { name: 'commit needs every YES', script: [...TPC_PREPARED, 'act B vote msg=1 vote=yes', 'tick'], command: 'act A decide outcome=commit', refused: 'not-all-yes' },
  { name: 'a NO forbids commit', script: [...TPC_PREPARED, 'act B vote msg=1 vote=yes', 'act C vote msg=2 vote=no', 'tick'], command: 'act A decide outcome=commit', refused: 'not-all-yes' },
  { name: 'all YES allows commit', script: TPC_ALL_YES, command: 'act A decide outcome=commit', refused: null },
  { name: 'the coordinator may always abort before deciding', script: TPC_PREPARED, command: 'act A decide outcome=abort', refused: null },
  { name: 'nothing to decide before PREPARE', script: ['config 2pc', 'propose A X'], command: 'act A decide outcome=abort', refused: 'not-begun' },
  { name: 'a logged decision is final', script: [...TPC_ALL_YES, 'act A decide outcome=commit'], command: 'act A decide outcome=abort', refused: 'decision-final' },
  { name: 'resend needs a logged decision', script: TPC_PREPARED, command: 'act A resend', refused: 'no-decision' },
  { name: 'a logged decision may be sent again', script: [...TPC_ALL_YES, 'act A decide outcome=commit'], command: 'act A resend', refused: null },
  { name: 'a YES voter is in doubt and cannot abort', script: [...TPC_PREPARED, 'act B vote msg=1 vote=yes', 'tick 10'], command: 'act B abort', refused: 'in-doubt' },
  { name: 'no giving up before the timeout', script: TPC_PREPARED, command: 'act B abort', refused: 'too-early' },
  { name: 'a participant that has not voted may abort after its timeout', script: [...TPC_PREPARED, 'tick 5'], command: 'act B abort', refused: null },
  { name: 'a decided participant has nothing to abort', script: [...TPC_PREPARED, 'act B vote msg=1 vote=no'], command: 'act B abort', refused: 'already-decided' },
  { name: 'only an in-doubt participant asks its peers', script: TPC_PREPARED, command: 'act B askPeers', refused: 'not-in-doubt' },
  { name: 'an in-doubt participant may ask its peers', script: [...TPC_PREPARED, 'act B vote msg=1 vote=yes'], command: 'act B askPeers', refused: null },
  {
    name: 'a participant told ABORT before its PREPARE arrived has nothing to vote on',
    script: ['config 2pc nodes=3 latency=1-1', 'propose A X', 'act A prepare decree=X', 'delay 1 10', 'act A decide outcome=abort', 'tick 12'],
    command: 'act B vote msg=1 vote=yes',
    refused: 'already-decided',
  },
  { name: 'a crashed node cannot act', script: [...TPC_PREPARED, 'crash B'], command: 'act B askPeers', refused: 'node-crashed' },
  { name: 'an unknown action kind is refused', script: TPC_PREPARED, command: 'act B fly', refused: 'bad-action' },
];

const TG = ['config generals nodes=2 latency=1-1 timeout=10'];
const TG_PLANNED = [...TG, 'act A plan', 'tick'];
const TG_ACKED = [...TG_PLANNED, 'act B ack n=1', 'tick'];
const generalsRows: Row[] = [
  { name: 'general A sends the plan', script: TG, command: 'act A plan', refused: null },
  { name: 'only A makes the plan', script: TG, command: 'act B plan', refused: 'not-planner' },
  { name: 'A may send the plan again while none is acknowledged', script: [...TG, 'act A plan'], command: 'act A plan', refused: null },
  { name: 'an acknowledged plan is answered, not sent again', script: TG_ACKED, command: 'act A plan', refused: 'plan-acknowledged' },
  { name: 'B acknowledges the plan it received', script: TG_PLANNED, command: 'act B ack n=1', refused: null },
  { name: 'nothing to acknowledge before a messenger arrives', script: [...TG, 'act A plan'], command: 'act B ack n=1', refused: 'unheard' },
  { name: 'A has nothing to acknowledge before an answer', script: [...TG, 'act A plan'], command: 'act A ack n=1', refused: 'nothing-to-acknowledge' },
  { name: 'an acknowledgement answers the last messenger received', script: TG_ACKED, command: 'act A ack n=4', refused: 'unheard' },
  { name: 'an acknowledgement has the number of the last messenger received', script: TG_ACKED, command: 'act A ack n=3', refused: 'wrong-acknowledgement' },
  { name: 'A acknowledges the acknowledgement', script: TG_ACKED, command: 'act A ack n=2', refused: null },
  { name: 'an acknowledgement may be sent again', script: [...TG_ACKED, 'act A ack n=2'], command: 'act A ack n=2', refused: null },
  { name: 'A may order the attack at any time before dawn', script: TG, command: 'act A attack', refused: null },
  { name: 'B attacks only on a plan it received', script: [...TG, 'act A plan'], command: 'act B attack', refused: 'no-plan' },
  { name: 'B may attack once the plan arrived', script: TG_PLANNED, command: 'act B attack', refused: null },
  { name: 'an attack is ordered once', script: [...TG, 'act A attack'], command: 'act A attack', refused: 'already-attacking' },
  { name: 'an order to attack stands', script: [...TG, 'act A attack'], command: 'act A standDown', refused: 'attack-final' },
  { name: 'there is no attack to call off before one is ordered', script: TG, command: 'act A standDown', refused: 'not-attacking' },
  { name: 'nothing is sent or ordered after dawn', script: [...TG_PLANNED, 'tick 9'], command: 'act B attack', refused: 'after-dawn' },
];

const MV = ['config majority nodes=5 latency=1-1', 'propose A X', 'propose B Y'];
const majorityRows: Row[] = [
  { name: 'a node votes for its own request', script: MV, command: 'act A vote decree=X', refused: null },
  { name: 'a vote needs a known candidate', script: MV, command: 'act C vote decree=X', refused: 'unknown-candidate' },
  { name: 'a node votes for a candidate it heard of', script: [...MV, 'act A putForward decree=X', 'tick'], command: 'act C vote decree=X', refused: null },
  { name: 'a vote is locked', script: [...MV, 'act A vote decree=X', 'tick'], command: 'act A vote decree=Y', refused: 'vote-locked' },
  { name: 'voting twice for the same decree is still voting twice', script: [...MV, 'act A vote decree=X'], command: 'act A vote decree=X', refused: 'vote-locked' },
  { name: 'only a requested decree can be put forward', script: MV, command: 'act A putForward decree=Y', refused: 'not-requested' },
  { name: 'ignore needs a message in the inbox', script: MV, command: 'act A ignore msg=7', refused: 'not-in-inbox' },
  { name: 'a candidate in the inbox may be ignored', script: [...MV, 'act A putForward decree=X', 'tick'], command: 'act C ignore msg=2', refused: null },
  { name: 'a decree is 1 to 24 characters', script: MV, command: 'act A vote decree=ABCDEFGHIJKLMNOPQRSTUVWXYZ', refused: 'bad-action' },
];

/** A log of three voters: slot 1 (slot=0) chose X with the votes of A and B; C has not voted. */
const VL = ['config votelog nodes=3 latency=1-1', 'propose A X', 'propose B Y'];
const VL_SLOT_1 = [...VL, 'act A vote slot=0 decree=X', 'tick', 'act B vote slot=0 decree=X', 'tick'];
const votelogRows: Row[] = [
  { name: 'a log node votes in slot 1 for its own request', script: VL, command: 'act A vote slot=0 decree=X', refused: null },
  { name: 'a log node votes in the first slot it has not learned, not later', script: VL, command: 'act A vote slot=1 decree=X', refused: 'slot-ahead' },
  { name: 'a log vote needs a candidate of that slot', script: VL, command: 'act C vote slot=0 decree=X', refused: 'unknown-candidate' },
  { name: 'another node votes for its own update in the same slot', script: [...VL, 'act A vote slot=0 decree=X', 'tick'], command: 'act B vote slot=0 decree=Y', refused: null },
  { name: 'a log vote cannot change', script: [...VL, 'act A vote slot=0 decree=X', 'tick'], command: 'act A vote slot=0 decree=Y', refused: 'vote-locked' },
  { name: 'a node that learned a slot without voting may still vote there, late', script: VL_SLOT_1, command: 'act C vote slot=0 decree=X', refused: null },
  { name: 'a waiting update goes up in the open slot, not a decided one', script: VL_SLOT_1, command: 'act B putForward slot=0 decree=Y', refused: 'slot-decided' },
  { name: 'the update that lost slot 1 is a candidate in slot 2', script: VL_SLOT_1, command: 'act B vote slot=1 decree=Y', refused: null },
  { name: 'an update in the log is not put forward again', script: VL_SLOT_1, command: 'act A putForward slot=1 decree=X', refused: 'not-requested' },
  { name: 'a log node puts its request forward in its open slot', script: VL, command: 'act B putForward slot=0 decree=Y', refused: null },
  { name: 'a slot is 0 to 15', script: VL, command: 'act A vote slot=16 decree=X', refused: 'bad-action' },
  { name: 'only a candidate message can be ignored in a log', script: VL, command: 'act A ignore msg=3', refused: 'not-in-inbox' },
];

const PX = ['config paxos nodes=3 latency=1-1', 'propose A X', 'propose C Z'];
const PX_PREPARED = [...PX, 'act A prepare ballot=1', 'tick'];
const paxosRows: Row[] = [
  { name: 'a proposer starts a ballot', script: PX, command: 'act A prepare ballot=1', refused: null },
  { name: 'a ballot must be new', script: PX_PREPARED, command: 'act A prepare ballot=1', refused: 'ballot-not-new' },
  { name: 'a ballot must be positive', script: PX, command: 'act A prepare ballot=0', refused: 'bad-action' },
  { name: 'an acceptor promises a ballot above its promise', script: PX_PREPARED, command: 'act B promise msg=1', refused: null },
  { name: 'a promise answers a PREPARE in the inbox', script: PX_PREPARED, command: 'act B promise msg=2', refused: 'not-in-inbox' },
  { name: 'promise does not answer an ACCEPT', script: [...PX_PREPARED, 'act B promise msg=1', 'tick', 'act A propose value=X', 'tick'], command: 'act B promise msg=4', refused: 'wrong-message' },
  {
    name: 'no promise below an earlier promise',
    script: [...PX, 'act A prepare ballot=1', 'act C prepare ballot=1', 'tick', 'act B promise msg=4'],
    command: 'act B promise msg=1',
    refused: 'promised-higher',
  },
  {
    name: 'a refusal is for ballots below the promise',
    script: [...PX, 'act A prepare ballot=1', 'act C prepare ballot=1', 'tick', 'act B promise msg=4'],
    command: 'act B refuse msg=1',
    refused: null,
  },
  { name: 'nothing to refuse without a higher promise', script: PX_PREPARED, command: 'act B refuse msg=1', refused: 'nothing-to-refuse' },
  { name: 'propose needs a ballot', script: PX, command: 'act A propose value=X', refused: 'no-ballot' },
  { name: 'propose needs a majority of promises', script: PX_PREPARED, command: 'act A propose value=X', refused: 'no-majority-of-promises' },
  { name: 'propose with a majority of promises', script: [...PX_PREPARED, 'act B promise msg=1', 'tick'], command: 'act A propose value=X', refused: null },
  { name: 'a proposer proposes only a requested value', script: [...PX_PREPARED, 'act B promise msg=1', 'tick'], command: 'act A propose value=Q', refused: 'not-proposed' },
  {
    name: 'one ballot carries one value',
    script: [...PX_PREPARED, 'act B promise msg=1', 'tick', 'act A propose value=X'],
    command: 'act A propose value=X',
    refused: 'already-proposed',
  },
  {
    name: 'the highest accepted value must be adopted',
    script: [...PX_PREPARED, 'act B promise msg=1', 'tick', 'act A propose value=X', 'tick', 'act B accept msg=4', 'act C prepare ballot=2', 'tick', 'act B promise msg=9', 'tick'],
    command: 'act C propose value=Z',
    refused: 'must-adopt-value',
  },
  {
    name: 'the adopted value is accepted',
    script: [...PX_PREPARED, 'act B promise msg=1', 'tick', 'act A propose value=X', 'tick', 'act B accept msg=4', 'act C prepare ballot=2', 'tick', 'act B promise msg=9', 'tick'],
    command: 'act C propose value=X',
    refused: null,
  },
  {
    name: 'no acceptance below the promise',
    script: [...PX_PREPARED, 'act B promise msg=1', 'tick', 'act C prepare ballot=2', 'act A propose value=X', 'tick', 'act B promise msg=5'],
    command: 'act B accept msg=6',
    refused: 'promised-higher',
  },
];

/** Raft, three nodes: A's election timer fired first and it stood for term 1; B and C hold its RequestVote (#1, #2). */
const RAFT_CANDIDATE = ['config raft nodes=3 seed=4 latency=1-1 election-timeout=10-20', 'propose A X', 'tick 10', 'act A startElection', 'tick'];
/** A then leads term 1, and has appended a no-op that only it holds. */
const RAFT_LEADER = [...RAFT_CANDIDATE, 'act B grant msg=1', 'act C grant msg=2', 'tick', 'act A append value=no-op'];
/** Four nodes: A and B stood for term 1 together, and C voted for A (#2); B's RequestVote (#5) waits at C. */
const RAFT_SPLIT = ['config raft nodes=4 seed=32 latency=1-1 election-timeout=10-20', 'tick 12', 'act A startElection', 'act B startElection', 'tick', 'act C grant msg=2'];

const raftRows: Row[] = [
  { name: 'a follower grants a vote it has not cast in the term', script: RAFT_CANDIDATE, command: 'act B grant msg=1', refused: null },
  { name: 'refusing a vote Raft grants breaks a rule', script: RAFT_CANDIDATE, command: 'act B refuse msg=1', refused: 'must-grant' },
  { name: 'one vote per term', script: RAFT_SPLIT, command: 'act C grant msg=5', refused: 'already-voted' },
  { name: 'a vote it may not grant is refused', script: RAFT_SPLIT, command: 'act C refuse msg=5', refused: null },
  { name: 'a server stands for election only once its timer fired', script: RAFT_CANDIDATE.slice(0, 1), command: 'act B startElection', refused: 'timer-running' },
  { name: 'only the leader appends', script: RAFT_LEADER, command: 'act B append value=X', refused: 'not-leader' },
  { name: 'the leader appends a request it holds', script: RAFT_LEADER, command: 'act A append value=X', refused: null },
  { name: 'commit only what a majority holds', script: RAFT_LEADER, command: 'act A commit index=1', refused: 'no-majority' },
  { name: 'a commit index only moves forward', script: [...RAFT_LEADER, 'act A replicateAll', 'tick', 'act B accept msg=7', 'tick', 'act A commit index=1'], command: 'act A commit index=1', refused: 'already-committed' },
];

const engineRows: Row[] = [
  { name: 'tick always works', script: PX, command: 'tick', refused: null },
  { name: 'a message in flight can be dropped', script: [...PX, 'act A prepare ballot=1'], command: 'drop 1', refused: null },
  { name: 'a delivered message cannot be dropped', script: PX_PREPARED, command: 'drop 1', refused: 'no-such-message' },
  { name: 'a delay is 1 to 1000 ticks', script: [...PX, 'act A prepare ballot=1'], command: 'delay 1 0', refused: 'bad-delay' },
  { name: 'a message can be duplicated', script: [...PX, 'act A prepare ballot=1'], command: 'duplicate 2', refused: null },
  { name: 'a crashed node cannot crash again', script: [...PX, 'crash B'], command: 'crash B', refused: 'already-crashed' },
  { name: 'only a crashed node recovers', script: PX, command: 'recover B', refused: 'not-crashed' },
  { name: 'a partition needs two groups', script: PX, command: 'partition A,B,C', refused: 'bad-partition' },
  { name: 'a node stands in one group', script: PX, command: 'partition A,B B,C', refused: 'bad-partition' },
  { name: 'unnamed nodes form a group of their own', script: PX, command: 'partition A', refused: null },
  { name: 'a crashed node gets no client requests', script: [...PX, 'crash B'], command: 'propose B X', refused: 'node-crashed' },
];

function runRows(rows: Row[]): void {
  for (const row of rows) {
    it(row.name, () => {
      const world = worldFrom(row.script);
      const before = JSON.stringify(world);
      const result = step(world, commandOf(row.command));
      if (row.refused === null) {
        expect(result.ok ? null : result.rejection).toBeNull();
      } else {
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.rejection.code).toBe(row.refused);
        expect(result.rejection.message.length).toBeGreaterThan(30);
        expect(JSON.stringify(world)).toBe(before);
      }
      // The legal list agrees with the verdict for node actions.
      const command = commandOf(row.command);
      if (command.type === 'act' && !world.nodes[command.node]!.crashed) {
        const listed = legalActions(world, command.node).some((a) => JSON.stringify(a) === JSON.stringify(command.action));
        if (listed) expect(row.refused).toBeNull();
      }
    });
  }
}


/** Paxos, three nodes: B promised ballot 2.C and holds A's ACCEPT 1.A X (#6), which a sandbox B may still accept. */
const PROMISED_TWO_C_HOLDING_ACCEPT_ONE_A = [
  'propose A X',
  'propose C Z',
  'act A prepare ballot=1',
  'tick',
  'act B promise msg=1',
  'tick',
  'act C prepare ballot=2',
  'act A propose value=X',
  'tick',
  'act B promise msg=5',
];

describe('two-phase commit rules', () => runRows(twoPhaseRows));
describe('two generals rules', () => runRows(generalsRows));
describe('majority vote rules', () => runRows(majorityRows));
describe('majority vote, slot by slot, rules', () => runRows(votelogRows));
describe('paxos rules', () => runRows(paxosRows));
describe('raft rules', () => runRows(raftRows));
describe('engine commands', () => runRows(engineRows));

describe('legal actions', () => {
  it('every listed action is accepted, for every node, along a whole seeded round', async () => {
    const { runSeed } = await import('../../shared/sim/swarm');
    const { replay } = await import('../../shared/engine/replay');
    for (const protocol of protocolNames()) {
      const run = runSeed({ protocol, nodes: nodesFor(protocol, 5), seed: 11, faults: true, safetyTicks: 60, livenessTicks: 300 });
      const worlds = replay(run.world.config, run.log);
      for (const world of worlds.filter((_, i) => i % 7 === 0)) {
        for (const node of world.nodes) {
          for (const action of legalActions(world, node.id)) {
            const result = step(world, { type: 'act', node: node.id, action });
            expect(result.ok ? null : result.rejection).toBeNull();
          }
        }
      }
    }
  });

  it('open when a timer fires: the timeout changes the node, the clock alone does not', () => {
    // A 2PC participant that has not voted may abort once its timeout has fired.
    let world = worldFrom(TPC_PREPARED);
    const participant = 1;
    expect(legalActions(world, participant).map((a) => a.kind)).not.toContain('abort');
    expect(world.nodes[participant]!.timers).toEqual([{ name: 'timeout', setAt: 0, firesAt: 5 }]);
    const node = world.nodes[participant];
    for (let i = 0; i < 3; i++) world = mustStep(world, { type: 'tick' }).world;
    // Ticks before the timer fires leave the node as it was, and its moves too.
    expect(world.nodes[participant]).toBe(node);
    expect(legalActions(world, participant).map((a) => a.kind)).not.toContain('abort');
    const fired = mustStep(world, { type: 'tick' });
    expect(fired.world.nodes[participant]).not.toBe(node);
    expect(fired.world.nodes[participant]!.timers).toEqual([]);
    expect(fired.world.nodes[participant]!.volatile).toMatchObject({ timedOut: true });
    expect(legalActions(fired.world, participant).map((a) => a.kind)).toContain('abort');
    expect(eventsFor(fired.events, participant).map((e) => e.text)).toContain("B's timeout fired: it may now give up and abort.");
  });

  it('are worked out once per node state', () => {
    const world = worldFrom(['config paxos nodes=3', 'propose A X']);
    const later = mustStep(world, { type: 'tick' }).world;
    expect(later.nodes[1]).toBe(world.nodes[1]);
    expect(legalActions(later, 1)).toBe(legalActions(world, 1));
  });
});

describe('sandbox mode', () => {
  it('accepts a broken rule as a violation, and lets a second decree be chosen', () => {
    const script = ['config majority nodes=3 latency=1-1 sandbox', 'propose A X', 'propose B Y', 'act A vote decree=X', 'tick', 'act B vote decree=X'];
    let world = worldFrom(script);
    expect(world.global.chosen.map((c) => c.decree)).toEqual(['X']);
    // A and B vote again, for Y: refused normally, recorded as violations in sandbox mode.
    world = worldFrom([...script, 'act B putForward decree=Y', 'tick', 'act A vote decree=Y', 'act B vote decree=Y']);
    expect(world.global.violations.map((v) => v.code)).toEqual(['vote-locked', 'vote-locked']);
    expect(world.global.chosen.map((c) => c.decree)).toEqual(['X', 'Y']);
    // The checker reports what the rules would have prevented.
    expect(checkInvariants(null, world).map((b) => b.code)).toContain('agreement');
  });

  it('tells the node that broke a rule at once, with the rule, and nobody else but the god view', () => {
    const world = worldFrom(['config majority nodes=3 latency=1-1 sandbox', 'propose A X', 'propose B Y', 'act B vote decree=Y', 'tick', 'act A vote decree=X']);
    const { events } = mustStep(world, commandOf('act A vote decree=Y'));
    const told = eventsFor(events, 0).find((e) => e.type === 'violation');
    expect(told?.text).toBe(
      'A broke a rule (a vote is locked once cast). You already voted for X, and votes are locked. If a vote could change, two different decrees could each gather a majority.',
    );
    expect(eventsFor(events, 1).some((e) => e.type === 'violation')).toBe(false);
    expect(eventsFor(events, 'god').some((e) => e.type === 'violation')).toBe(true);
  });

  it('still refuses the impossible', () => {
    const world = worldFrom(['config paxos nodes=3 sandbox']);
    const result = step(world, { type: 'act', node: 1, action: { kind: 'promise', msg: 99 } });
    expect(result.ok).toBe(false);
  });

  it('accepting below a promise does not lower the promise', () => {
    const world = worldFrom(['config paxos nodes=3 latency=1-1 sandbox', ...PROMISED_TWO_C_HOLDING_ACCEPT_ONE_A, 'act B accept msg=6']);
    expect(world.global.violations.map((v) => v.code)).toEqual(['promised-higher']);
    expect(world.nodes[1]!.durable).toMatchObject({ promised: { n: 2, node: 2 }, accepted: { ballot: { n: 1, node: 0 }, value: 'X' } });
  });

  it('promising below a promise does not lower the promise', () => {
    const world = worldFrom(['config paxos nodes=3 latency=1-1 sandbox', 'propose A X', 'act A prepare ballot=1', 'act C prepare ballot=2', 'tick', 'act B promise msg=4', 'act B promise msg=1']);
    expect(world.global.violations.map((v) => v.code)).toEqual(['promised-higher']);
    expect(world.nodes[1]!.durable).toMatchObject({ promised: { n: 2, node: 2 } });
  });

  it('deciding twice in 2PC keeps the logged decision and one commit point', () => {
    const script = ['config 2pc nodes=3 latency=1-1 timeout=5 sandbox', 'propose A X', 'act A prepare decree=X', 'tick', 'act B vote msg=1 vote=yes', 'act C vote msg=2 vote=yes', 'tick'];
    const world = worldFrom([...script, 'act A decide outcome=commit', 'act A decide outcome=abort', 'act A decide outcome=commit']);
    expect(world.global.violations.map((v) => v.code)).toEqual(['decision-final', 'decision-final']);
    expect(world.nodes[0]!.durable).toMatchObject({ decision: 'commit' });
    expect((world.global.protocol as TpcGlobal).outcomes).toEqual({ 0: 'commit' });
    expect(world.global.chosen.map((c) => c.decree)).toEqual(['X']);
    // The contradicting ABORT still went out: the participants hear COMMIT, ABORT and COMMIT.
    expect(world.inFlight.filter((m) => m.to === 1).map((m) => m.payload.outcome)).toEqual(['commit', 'abort', 'commit']);
    const committed = worldFrom([...script, 'act A decide outcome=commit']);
    expect(mustStep(committed, commandOf('act A decide outcome=abort')).events.find((e) => e.type === 'acted')?.text).toBe('A sent ABORT, though its log already says COMMIT.');
    // An abort logged first stays the decision; a later COMMIT is sent, but commits nothing in the log.
    const aborted = worldFrom([...script, 'act A decide outcome=abort', 'act A decide outcome=commit']);
    expect(aborted.nodes[0]!.durable).toMatchObject({ decision: 'abort' });
    expect(aborted.global.chosen).toEqual([]);
  });

  it('a changed vote in 2PC leaves the locked vote on record', () => {
    const world = worldFrom(['config 2pc nodes=3 latency=1-1 timeout=5 sandbox', 'propose A X', 'act A prepare decree=X', 'tick', 'act B vote msg=1 vote=yes', 'act B vote vote=no']);
    expect(world.global.violations.map((v) => v.code)).toEqual(['vote-locked']);
    expect((world.global.protocol as TpcGlobal).votesCast).toEqual({ 1: 'yes' });
    expect(world.nodes[1]!.durable).toMatchObject({ vote: 'no', outcome: 'abort' });
  });

  it('a changed vote that gives a decree its majority ends a split vote', () => {
    const split = worldFrom(['config majority nodes=3 latency=1-1 sandbox', 'propose A X', 'propose B Y', 'propose C Z', 'act A vote decree=X', 'act B vote decree=Y', 'act C vote decree=Z', 'tick']);
    expect(split.global.stuck).toBe(true);
    const { world, events } = mustStep(split, commandOf('act A vote decree=Y'));
    expect(world.global.chosen.map((c) => c.decree)).toEqual(['Y']);
    expect(world.global.stuck).toBe(false);
    expect(events.map((e) => e.type)).toContain('unstuck');
  });

  it('without sandbox the same vote is refused', () => {
    const world = worldFrom(['config majority nodes=3 latency=1-1', 'propose A X', 'propose B Y', 'act A vote decree=X', 'tick']);
    const result = step(world, commandOf('act A vote decree=Y'));
    expect(result.ok ? null : result.rejection.code).toBe('vote-locked');
  });
});

describe('rule-breaking moves', () => {
  const moves = (world: World, node: string) => ruleBreakingActions(world, 'ABCDEFGHI'.indexOf(node)).map((m) => [JSON.stringify(m.action), m.rule]);
  const outsideSandbox = (world: World): World => ({ ...world, config: { ...world.config, settings: { ...world.config.settings, sandbox: false } } });

  it('are offered in sandbox mode only', () => {
    const world = worldFrom(['config majority nodes=3 latency=1-1 sandbox', 'propose A X', 'propose B Y', 'act B vote decree=Y', 'tick', 'act A vote decree=X']);
    expect(moves(world, 'A')).toEqual([['{"kind":"vote","decree":"Y"}', 'vote-locked']]);
    expect(ruleBreakingActions(outsideSandbox(world), 0)).toEqual([]);
    // Each names its rule in a few words and carries the engine's explanation.
    expect(ruleBreakingActions(world, 0)[0]).toMatchObject({ title: 'a vote is locked once cast', why: expect.stringContaining('You already voted for X') });
  });

  it('let a Paxos acceptor promise or accept below its promise, and a proposer reuse a ballot or send a second value', () => {
    const world = worldFrom(['config paxos nodes=3 latency=1-1 sandbox decrees=X,Z', ...PROMISED_TWO_C_HOLDING_ACCEPT_ONE_A]);
    // B promised 2.C and holds ACCEPT 1.A X (#6): accepting it breaks the promise.
    expect(moves(world, 'B')).toEqual([['{"kind":"accept","msg":6}', 'promised-higher']]);
    // A holds PREPARE 2.C (#4), which its promise of 1.A allows: refusing it breaks a rule too.
    expect(moves(world, 'A')).toEqual([
      ['{"kind":"refuse","msg":4}', 'nothing-to-refuse'],
      ['{"kind":"propose","value":"X"}', 'already-proposed'],
      ['{"kind":"propose","value":"Z"}', 'already-proposed'],
      ['{"kind":"prepare","ballot":1}', 'ballot-not-new'],
    ]);
    const lower = worldFrom(['config paxos nodes=3 latency=1-1 sandbox', 'propose A X', 'act A prepare ballot=1', 'act C prepare ballot=2', 'tick', 'act B promise msg=4']);
    expect(moves(lower, 'B')).toEqual([['{"kind":"promise","msg":1}', 'promised-higher']]);
  });

  it('let a 2PC participant change its vote or give up in doubt, and the coordinator commit without every YES or decide twice', () => {
    const prepared = ['config 2pc nodes=3 latency=1-1 timeout=5 sandbox', 'propose A X', 'act A prepare decree=X', 'tick', 'act B vote msg=1 vote=yes'];
    const world = worldFrom(prepared);
    expect(moves(world, 'B')).toEqual([
      ['{"kind":"vote","vote":"no"}', 'vote-locked'],
      ['{"kind":"abort"}', 'in-doubt'],
    ]);
    expect(moves(world, 'C')).toEqual([['{"kind":"abort"}', 'too-early']]);
    expect(moves(worldFrom([...prepared, 'tick']), 'A')).toEqual([['{"kind":"decide","outcome":"commit"}', 'not-all-yes']]);
    expect(moves(worldFrom([...prepared, 'act C vote msg=2 vote=yes', 'tick', 'act A decide outcome=commit']), 'A')).toEqual([
      ['{"kind":"decide","outcome":"abort"}', 'decision-final'],
    ]);
  });

  it('are refused outside sandbox mode by the rule they name, and recorded as a violation of it inside, along whole seeded rounds', async () => {
    const { runSeed } = await import('../../shared/sim/swarm');
    const { replay } = await import('../../shared/engine/replay');
    for (const protocol of protocolNames()) {
      const broken = new Set<string>();
      // Bots' rounds, and rounds of people who press any button: some rules guard situations the bots
      // seldom meet (a Raft candidate whose log is behind, or a new leader over logs that differ).
      const rounds = [3, 11, 12].map((seed) => {
        const run = runSeed({ protocol, nodes: nodesFor(protocol, 5), seed, faults: true, safetyTicks: 60, livenessTicks: 200, settings: { sandbox: true } });
        return replay(run.world.config, run.log);
      });
      for (const seed of [1, 3]) rounds.push([...playedRound(protocol, seed, 1500, { sandbox: true })]);
      for (const worlds of rounds) {
        for (const world of worlds.filter((_, i) => i % 5 === 0)) {
          for (const node of world.nodes) {
            for (const move of ruleBreakingActions(world, node.id)) {
              const command = { type: 'act' as const, node: node.id, action: move.action };
              const inside = step(world, command);
              expect(inside.ok).toBe(true);
              if (inside.ok) expect(inside.world.global.violations.at(-1)).toMatchObject({ code: move.rule, node: node.id });
              const outside = step(outsideSandbox(world), command);
              expect(outside.ok ? null : outside.rejection).toMatchObject({ code: move.rule, rule: true, message: move.why });
              broken.add(move.rule);
            }
          }
        }
      }
      // Every rule the protocol names can be broken from the panel.
      expect([...broken].sort()).toEqual(Object.keys(protocolFor(protocol).ruleTitles).sort());
    }
  });
});

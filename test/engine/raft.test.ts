/**
 * Raft beyond the generic suites: the paper's Figure 8 with the current-term commit rule broken (in
 * sandbox mode) and kept, the safety properties named as the paper names them, the randomized
 * election timeouts and their setting on every layer, and the words and strips a player sees.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { step } from '../../shared/engine/step';
import type { World } from '../../shared/engine/types';
import { godView, legalActions } from '../../shared/engine/view';
import { configProblem, configShapeProblem, createWorld, makeConfig } from '../../shared/engine/world';
import { checkInvariants } from '../../shared/invariants';
import { protocolFor } from '../../shared/protocols';
import { electionRange, heartbeatTicks, type RaftDurable, type RaftGlobal, type RaftVolatile } from '../../shared/protocols/raft';
import { configSchema } from '../../shared/wire/commands';
import { roundSetupSchema } from '../../shared/wire/messages';
import { completeSetup, configOf, DEFAULT_SETUP } from '../../server/core/round';
import { parseScriptLine } from '../../shared/engine/script';
import { mustStep, worldFrom } from './helpers';
import { parseTranscript, runTranscript } from './transcript';

const update = process.env.UPDATE_TRANSCRIPTS === '1';
const raft = protocolFor('raft');

/** Runs a transcript (UPDATE_TRANSCRIPTS=1 rewrites it); returns its narration and the world it ends in. */
function transcript(path: string): { text: string; world: World } {
  const text = readFileSync(path, 'utf8');
  const blocks = parseTranscript(text);
  const { text: actual } = runTranscript(blocks);
  if (update) writeFileSync(path, actual);
  else expect(actual).toBe(text);
  // The world it ends in: every command the engine accepted, in order (a refusal changes nothing).
  let world: World | null = null;
  for (const block of blocks) {
    if (/^(status|reveal|state)\b/.test(block.command)) continue;
    const parsed = parseScriptLine(block.command);
    if (parsed.kind === 'config') world = createWorld(parsed.config);
    else for (const command of parsed.commands) {
      const result = step(world!, command);
      if (result.ok) world = result.world;
    }
  }
  return { text: actual, world: world! };
}

const durable = (world: World, id: number) => world.nodes[id]!.durable as RaftDurable;
const volatile = (world: World, id: number) => world.nodes[id]!.volatile as RaftVolatile;
const logOf = (world: World, id: number) => durable(world, id).log.map((e) => `${e.value}@t${e.term}`);

describe('Raft: the paper\'s Figure 8', () => {
  it('with the current-term rule broken, a leader commits Y by count, and a later leader overwrites it: Leader Completeness and State Machine Safety break', () => {
    const { text, world } = transcript(join(import.meta.dirname, '..', 'raft', 'figure-8-rule-off.txt'));
    expect(world.global.violations.map((v) => [v.code, v.node])).toEqual([['current-term-only', 0]]);
    const codes = new Set([...text.matchAll(/INVARIANT BROKEN \(([a-z-]+)\)/g)].map((m) => m[1]));
    expect([...codes].sort()).toEqual(['agreement', 'leader-completeness', 'state-machine-safety']);
    // Entry 2 was committed with Y (term 2) by A's count, then with Z (term 3) by E.
    expect(world.global.chosen.filter((c) => c.slot === 1).map((c) => c.decree)).toEqual(['Y', 'Z']);
    expect((world.global.protocol as RaftGlobal).applied[1]).toMatchObject({ value: 'Y', term: 2, node: 0 });
    expect(logOf(world, 1)).toEqual(['X@t1', 'Z@t3', 'no-op@t5']);
    expect(checkInvariants(null, world).map((b) => b.message)).toContain('State Machine Safety: E applied Z (term 3) as entry 2, where A applied Y (term 2).');
  });

  it('with the rule kept, the commit by count is refused; A commits W of its own term, Y with it, and E can no longer win', () => {
    const { text, world } = transcript(join(import.meta.dirname, '..', 'transcripts', 'raft-figure-8.txt'));
    expect(text).toContain('refused (current-term-only): Entry 2 is of term 2, and you lead term 4.');
    expect(text).toContain("refused (log-not-up-to-date): E's log is not as up to date as yours");
    expect(text).not.toContain('INVARIANT BROKEN');
    expect(world.global.violations).toEqual([]);
    expect(world.global.chosen.map((c) => [c.slot, c.decree])).toEqual([
      [0, 'X'],
      [2, 'W'],
      [1, 'Y'],
    ]);
    for (const id of [0, 1, 2]) expect(logOf(world, id)).toEqual(['X@t1', 'Y@t2', 'W@t4']);
    expect(volatile(world, 4).role).toBe('candidate');
    expect(volatile(world, 4).votes).toEqual([4, 3]);
  });
});

describe('Raft: safety, checked after every step', () => {
  const elected = worldFrom([
    'config raft nodes=3 seed=4 latency=1-1 election-timeout=10-20',
    'propose A X',
    'tick 10',
    'act A startElection',
    'tick',
    'act B grant msg=1',
    'act C grant msg=2',
    'tick',
    'act A append value=X',
  ]);

  it('names each property as the paper does, when a world breaks it', () => {
    expect(checkInvariants(null, elected)).toEqual([]);
    const g = elected.global.protocol as RaftGlobal;
    const twoLeaders = { ...elected, global: { ...elected.global, protocol: { ...g, leaders: [...g.leaders, { term: 1, node: 2 }] } } };
    expect(checkInvariants(null, twoLeaders).map((b) => b.message)).toEqual(['Election Safety: A and C were both elected leader of term 1.']);
    const forked = {
      ...elected,
      nodes: elected.nodes.map((n) => (n.id === 1 ? { ...n, durable: { ...(n.durable as RaftDurable), log: [{ term: 1, value: 'Y' }] } } : n)),
    };
    expect(checkInvariants(null, forked).map((b) => b.code)).toEqual(['log-matching']);
    const committed = { ...g, committed: [{ term: 1, value: 'Z', inTerm: 0 }] };
    expect(checkInvariants(null, { ...elected, global: { ...elected.global, protocol: committed } }).map((b) => b.code)).toEqual(['leader-completeness']);
  });

  it('records a leader that loses an entry of its own log as Leader Append-Only broken', () => {
    // A leader takes AppendEntries only in sandbox mode, as a second leader of its term.
    const g = elected.global.protocol as RaftGlobal;
    const rewritten = { ...elected, global: { ...elected.global, protocol: { ...g, rewrites: [{ node: 0, term: 1, index: 1 }] } } };
    expect(checkInvariants(null, rewritten).map((b) => b.message)).toEqual(['Leader Append-Only: A, leader of term 1, lost or changed entry 1 of its log.']);
  });
});

describe('Raft: randomized election timeouts', () => {
  const firstTimers = (seed: number, settings = {}) => createWorld(makeConfig('raft', 5, seed, settings)).nodes.map((n) => n.timers[0]!.firesAt);

  it('draws them from the world\'s seeded random source, within the round\'s range', () => {
    expect(firstTimers(7)).toEqual(firstTimers(7));
    const all = Array.from({ length: 20 }, (_, s) => firstTimers(s, { electionTimeout: { min: 12, max: 30 } })).flat();
    expect(Math.min(...all)).toBeGreaterThanOrEqual(12);
    expect(Math.max(...all)).toBeLessThanOrEqual(30);
    expect(new Set(all).size).toBeGreaterThan(10);
  });

  it('derives the range from the round\'s timeout, capped at five to ten round trips, and the heartbeat from its shortest', () => {
    expect(electionRange(makeConfig('raft', 3, 1))).toEqual({ min: 15, max: 30 });
    expect(electionRange(makeConfig('raft', 3, 1, { latencyMin: 1, latencyMax: 3, timeoutTicks: 300 }))).toEqual({ min: 30, max: 60 });
    expect(electionRange(makeConfig('raft', 3, 1, { electionTimeout: { min: 40, max: 90 } }))).toEqual({ min: 40, max: 90 });
    expect(heartbeatTicks(makeConfig('raft', 3, 1))).toBe(5);
  });

  it('refuses a range that is too short or too narrow, saying why, on every layer that carries it', () => {
    const config = (min: number, max: number) => makeConfig('raft', 3, 1, { latencyMin: 2, latencyMax: 6, electionTimeout: { min, max } });
    expect(configProblem(config(10, 30))).toMatch(/^the shortest election timeout \(10 ticks\) is shorter than one round trip at the slowest latency \(2 × 6 = 12 ticks\)/);
    expect(configProblem(config(20, 24))).toMatch(/^the election timeouts \(20 to 24 ticks\) spread over less than one hop at the slowest latency \(6 ticks\)/);
    expect(configProblem(config(20, 40))).toBeNull();
    expect(configShapeProblem(config(30, 20))).toBe('electionTimeout must be whole ticks with 1 <= min <= max <= 100000');
    expect(configShapeProblem({ ...config(20, 40), settings: { ...config(20, 40).settings, electionTimeout: { min: 2.5, max: 9 } } })).toMatch(/electionTimeout/);
    expect(configSchema.parse(config(20, 40)).settings.electionTimeout).toEqual({ min: 20, max: 40 });
    expect(() => configSchema.parse({ ...config(20, 40), settings: { ...config(20, 40).settings, electionTimeout: { min: 0, max: 40 } } })).toThrow(/electionTimeout/);
    expect(roundSetupSchema.parse({ protocol: 'raft', nodes: 3, electionTimeout: { min: 20, max: 40 } }).electionTimeout).toEqual({ min: 20, max: 40 });
    expect(parseScriptLine('config raft election-timeout=20-40').kind === 'config' && (parseScriptLine('config raft election-timeout=20-40') as { config: { settings: object } }).config.settings).toMatchObject({ electionTimeout: { min: 20, max: 40 } });
    // The server's setup: absent unless set, carried into the round's config, and refused with the engine's words.
    const plain = completeSetup({ protocol: 'raft', nodes: 3 }, DEFAULT_SETUP);
    if (typeof plain !== 'object') throw new Error(plain);
    expect('electionTimeout' in configOf(plain, 1).settings).toBe(false);
    const set = completeSetup({ protocol: 'raft', nodes: 3, electionTimeout: { min: 20, max: 40 } }, DEFAULT_SETUP);
    if (typeof set !== 'object') throw new Error(set);
    expect(configOf(set, 1).settings.electionTimeout).toEqual({ min: 20, max: 40 });
    expect(completeSetup({ protocol: 'raft', nodes: 3, electionTimeout: { min: 4, max: 40 } }, DEFAULT_SETUP)).toMatch(/shortest election timeout/);
  });
});

describe('Raft: what a player sees', () => {
  const world = worldFrom([
    'config raft nodes=3 seed=4 latency=1-1 election-timeout=10-20',
    'propose A X',
    'tick 10',
    'act A startElection',
    'tick',
    'act B grant msg=1',
    'act C grant msg=2',
    'tick',
    'act A append value=no-op',
    'act A append value=X',
    'act A replicateAll',
    'tick',
    'act B accept msg=7',
    'tick',
    'act A commit index=2',
  ]);

  it('labels messages with their term and, for AppendEntries, how many entries they carry', () => {
    expect(raft.label({ kind: 'requestVote', term: 4, lastLogIndex: 0, lastLogTerm: 0 })).toBe('RequestVote t4');
    expect(raft.label({ kind: 'appendEntries', term: 4, prevLogIndex: 1, prevLogTerm: 1, entries: [{ term: 4, value: 'X' }, { term: 4, value: 'Y' }], leaderCommit: 0 })).toBe('AppendEntries t4 [2]');
    expect(raft.present.slotName!(2)).toBe('entry 3');
    expect(raft.actionLabel({ kind: 'commit', index: 3 })).toBe('Commit up to entry 3');
  });

  it('draws each log as a strip: entries marked with their term, applied, committed or only held, and the leader each server knows', () => {
    const god = godView(world);
    const strip = (id: number) => raft.present.log!.cells(god.nodes[id]!).map((c) => [c.value, c.mark, c.tone, c.state]);
    expect(strip(0)).toEqual([
      ['no-op', 't1', 1, 'applied'],
      ['X', 't1', 1, 'applied'],
    ]);
    expect(strip(1)).toEqual([
      ['no-op', 't1', 1, 'accepted'],
      ['X', 't1', 1, 'accepted'],
    ]);
    expect(god.nodes.map((n) => raft.present.log!.leader(n))).toEqual([0, 0, 0]);
    expect(raft.present.stateLines(god.nodes[0]!, 3)).toEqual([
      'term 1',
      'voted for A in term 1',
      'log: no-op@t1 X@t1',
      'leader of term 1',
      'commit index 2, applied 2',
      'matchIndex/nextIndex: B 2/3, C 0/1',
    ]);
    expect(raft.present.summaryLines(god.nodes[1]!)).toEqual(['t1 follower', 'log 2, commit 0', 'voted A']);
  });

  it('offers a follower the answer Raft gives, and a leader its moves: append, send, commit', () => {
    const b = legalActions(world, 1);
    expect(b).toEqual([]);
    const a = legalActions(world, 0).map((x) => raft.actionLabel(x));
    expect(a).toEqual(['Send entries to C']);
    const refused = step(world, { type: 'act', node: 1, action: { kind: 'commit', index: 2 } });
    expect(refused.ok ? null : refused.rejection.message).toBe('Only the leader appends, sends and commits entries, and you are a follower in term 1. A leads term 1, as far as you know.');
    const later = mustStep(world, { type: 'tick' }).world;
    expect(later.tick).toBe(world.tick + 1);
  });
});

import { describe, expect, it } from 'vitest';
import { step } from '../../shared/engine/step';
import type { Command, ElectionPolicy, World } from '../../shared/engine/types';
import { createWorld, makeConfig } from '../../shared/engine/world';
import {
  figuresOf,
  percentile,
  recognisedLeader,
  runElectionTrial,
  spreadOf,
  summarizeElection,
  type ElectionFigures,
  type ElectionTrial,
} from '../../shared/sim/election';

/** The world a trial's log makes after its first `count` commands. */
function replay(trial: ElectionTrial, count: number): World {
  let world = createWorld(makeConfig('multipaxos', trial.nodes, trial.seed, { election: trial.election }));
  for (const command of trial.log.slice(0, count)) {
    const result = step(world, command);
    if (!result.ok) throw new Error(`refused ${JSON.stringify(command)}`);
    world = result.world;
  }
  return world;
}

const isElect = (c: Command): boolean => c.type === 'act' && c.action.kind === 'elect';

const CASES: { nodes: number; seed: number; election: ElectionPolicy }[] = [
  { nodes: 3, seed: 1, election: 'naive' },
  { nodes: 3, seed: 1, election: 'ranked' },
  { nodes: 5, seed: 4, election: 'naive' },
  { nodes: 5, seed: 4, election: 'ranked' },
];

describe('election report: one trial', () => {
  for (const c of CASES) {
    describe(`${c.election}, ${c.nodes} nodes, seed ${c.seed}`, () => {
      const trial = runElectionTrial({ ...c, crashAt: 150, watch: 200 });

      it('crashes the leader a majority recognised at the crash tick, and keeps it down', () => {
        expect(trial.failures).toEqual([]);
        expect(trial.leader).not.toBeNull();
        const atCrash = replay(trial, trial.crashStep!);
        expect(atCrash.tick).toBe(150);
        expect(recognisedLeader(atCrash)).toEqual({ node: trial.leader, ballot: trial.leaderBallot });
        expect(trial.log[trial.crashStep!]).toEqual({ type: 'crash', node: trial.leader });
        expect(trial.world.nodes[trial.leader!]!.crashed).toBe(true);
        expect(trial.world.global.downtime).toEqual([{ node: trial.leader, from: 150, to: null }]);
        expect(trial.world.tick).toBe(350);
      });

      it('finds the first step at which another node leads a majority under a higher ballot', () => {
        expect(trial.newLeader).not.toBeNull();
        expect(trial.newLeader).not.toBe(trial.leader);
        expect(trial.newBallot!.n).toBeGreaterThan(trial.leaderBallot!.n);
        const before = replay(trial, trial.recognisedStep!);
        const at = replay(trial, trial.recognisedStep! + 1);
        expect(recognisedLeader(before, trial.leaderBallot)).toBeNull();
        expect(recognisedLeader(at, trial.leaderBallot)).toEqual({ node: trial.newLeader, ballot: trial.newBallot });
        expect(trial.recognisedAfter).toBe(at.tick - 150);
        expect(trial.wonAfter).not.toBeNull();
        expect(trial.wonAfter!).toBeLessThanOrEqual(trial.recognisedAfter!);
        // A follower's leader timer runs a whole timeout from the last heartbeat: no one suspects sooner.
        expect(trial.wonAfter!).toBeGreaterThan(0);
      });

      it('counts every run for leader from the crash to the recognition, the winning one among them', () => {
        const runs = trial.log.slice(trial.crashStep! + 1, trial.recognisedStep! + 1).filter(isElect);
        expect(trial.ballots).toBe(runs.length);
        expect(runs).toContainEqual({ type: 'act', node: trial.newLeader, action: { kind: 'elect', ballot: trial.newBallot!.n } });
        expect(trial.ballotsWatched).toBe(trial.log.slice(trial.crashStep! + 1).filter(isElect).length);
      });

      it('counts the slots first chosen after the crash, per 100 ticks watched', () => {
        const firstTick = new Map<number, number>();
        for (const point of trial.world.global.chosen) if (!firstTick.has(point.slot)) firstTick.set(point.slot, point.tick);
        const watched = [...firstTick.values()].filter((t) => t > 150 && t <= 350).length;
        expect(watched).toBeGreaterThan(0);
        expect(trial.slotsChosen).toBe(watched);
        expect(trial.slotsPer100).toBeCloseTo((watched * 100) / 200, 2);
        const early = [...firstTick.values()].filter((t) => t > 150 && t <= 250).length;
        expect(trial.slotsFirst100).toBe(early);
        const beforeCrash = [...firstTick.values()].filter((t) => t <= 150).length;
        expect(trial.slotsPer100Before).toBeCloseTo((beforeCrash * 100) / 150, 2);
      });
    });
  }

  it('gives both policies of a seed the same requests at the same ticks', () => {
    const requests = (trial: ElectionTrial) => {
      let tick = 0;
      const asked: string[] = [];
      for (const command of trial.log) {
        if (command.type === 'tick') tick += 1;
        if (command.type === 'propose') asked.push(`${tick}:${command.decree}`);
      }
      return asked;
    };
    const naive = runElectionTrial({ nodes: 5, seed: 9, election: 'naive' });
    const ranked = runElectionTrial({ nodes: 5, seed: 9, election: 'ranked' });
    expect(requests(naive).length).toBeGreaterThan(20);
    expect(requests(naive)).toEqual(requests(ranked));
  });

  it('is deterministic', () => {
    const a = figuresOf(runElectionTrial({ nodes: 4, seed: 12, election: 'naive' }));
    const b = figuresOf(runElectionTrial({ nodes: 4, seed: 12, election: 'naive' }));
    expect(a).toEqual(b);
  });

  it('crashes nothing and measures nothing when no leader is recognised at the crash tick', () => {
    const trial = runElectionTrial({ nodes: 5, seed: 3, election: 'ranked', crashAt: 1, watch: 50 });
    expect(trial.leader).toBeNull();
    expect(trial.crashStep).toBeNull();
    expect(trial.log.some((c) => c.type === 'crash')).toBe(false);
    expect(summarizeElection([figuresOf(trial)], 'ranked')).toMatchObject({ seeds: 1, measured: 0, newLeader: 0, ticksToLeader: null });
  });
});

describe('election report: the summary', () => {
  it('takes percentiles by nearest rank', () => {
    const ten = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    expect(spreadOf(ten)).toEqual({ median: 5, p10: 1, p90: 9, max: 10 });
    expect(percentile([4], 0.9)).toBe(4);
    expect(spreadOf([])).toBeNull();
  });

  it('measures only seeds with a leader at the crash, and times only those that found a new one', () => {
    const base = figuresOf(runElectionTrial({ nodes: 3, seed: 2, election: 'naive', crashAt: 120, watch: 150 }));
    const trials: ElectionFigures[] = [
      { ...base, seed: 1, recognisedAfter: 40, wonAfter: 35, ballots: 1, ballotsWatched: 1, slotsPer100: 10 },
      { ...base, seed: 2, recognisedAfter: 60, wonAfter: 50, ballots: 3, ballotsWatched: 3, slotsPer100: 8 },
      { ...base, seed: 3, recognisedAfter: null, wonAfter: null, ballots: 5, ballotsWatched: 5, slotsPer100: 0 },
      { ...base, seed: 4, leader: null, recognisedAfter: null, wonAfter: null, ballots: 0, ballotsWatched: 0, slotsPer100: 0 },
      { ...base, seed: 5, election: 'ranked', recognisedAfter: 30, wonAfter: 30, ballots: 1 },
    ];
    const summary = summarizeElection(trials, 'naive');
    expect(summary).toMatchObject({ election: 'naive', nodes: 3, seeds: 4, crashAt: 120, watch: 150, measured: 3, newLeader: 2, noNewLeaderSeeds: [3] });
    expect(summary.ticksToLeader).toEqual({ median: 40, p10: 40, p90: 60, max: 60 });
    expect(summary.ticksToPromises).toEqual({ median: 35, p10: 35, p90: 50, max: 50 });
    expect(summary.ballotsToLeader).toEqual({ median: 1, p10: 1, p90: 3, max: 3 });
    expect(summary.ballotsWatched).toEqual({ median: 3, p10: 1, p90: 5, max: 5 });
    expect(summary.slotsPer100).toEqual({ median: 8, p10: 0, p90: 10, max: 10 });
    expect(summary.violations).toBe(0);
  });
});

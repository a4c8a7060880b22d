import { describe, expect, it } from 'vitest';
import { nodeName } from '../../shared/engine/names';
import { scoreRound } from '../../shared/results';
import { reportLineOf, classReport } from '../../shared/results/report';
import type { PlayerScore, RoundScoreboard } from '../../shared/results/scoreboard';
import { countsText, refusalWords, reportLineItems, scoreboardTable } from '../../client/src/results';
import { playClassRound } from '../results/helpers';

function score(name: string, node: number, extra: Partial<PlayerScore> = {}): PlayerScore {
  return {
    name,
    nickname: name.startsWith('bot') ? null : name,
    bot: name.startsWith('bot'),
    nodes: [node],
    commitPoint: false,
    moves: 0,
    movesByRules: 0,
    refusals: {},
    rulesBroken: {},
    learned: null,
    answerTicks: [],
    meanAnswerTicks: null,
    medianAnswerTicks: null,
    unanswered: 0,
    ...extra,
  };
}

const board: RoundScoreboard = {
  roundId: 'r1',
  group: 2,
  protocol: 'paxos',
  nodes: 3,
  outcome: 'X',
  decided: true,
  stuck: false,
  decisionTick: 31,
  ticks: 40,
  commitPoints: [{ decree: 'X', step: 20, tick: 31, node: 1, player: 'Bo' }],
  rows: [
    score('Bo', 1, { commitPoint: true, moves: 4, movesByRules: 4, learned: { node: 1, tick: 33 }, answerTicks: [1, 1], meanAnswerTicks: 1, medianAnswerTicks: 1 }),
    score('Ada', 0, { nodes: [0, 2], moves: 5, movesByRules: 5, refusals: { 'promised-higher': 2, 'not-in-inbox': 1 }, learned: { node: 0, tick: 35 } }),
    score('bot at C', 2, { moves: 3, movesByRules: 3 }),
  ],
};

describe('the projector’s scoreboard table', () => {
  it('puts whose move was the commit point, the moves by the rules, the refusals by rule and who learned when', () => {
    const table = scoreboardTable(board);
    expect(table.caption).toBe('Group 2: Paxos, 3 nodes');
    expect(table.outcome).toBe('Decided: X. Sealed at tick 31.');
    expect(table.commitPoints).toEqual(['Commit point at tick 31: X, by Bo’s move at B.']);
    expect(table.sandbox).toBe(false);
    expect(table.rows).toEqual([
      { player: 'Bo', bot: false, seats: 'B', commitPoint: true, movesByRules: 4, moves: 4, refused: 'none', rulesBroken: null, learned: 'tick 33' },
      {
        player: 'Ada',
        bot: false,
        seats: 'A, C',
        commitPoint: false,
        movesByRules: 5,
        moves: 5,
        refused: '3: 2 × never answer a ballot below your promise, 1 × not in inbox',
        rulesBroken: null,
        learned: 'tick 35',
      },
      { player: 'bot at C', bot: true, seats: 'C', commitPoint: false, movesByRules: 3, moves: 3, refused: 'none', rulesBroken: null, learned: 'no' },
    ]);
  });

  it('gives a sandbox round a column of rules broken, and says so when no move made the commit point', () => {
    const sandbox: RoundScoreboard = {
      ...board,
      commitPoints: [{ decree: 'X', step: 3, tick: 5, node: 0, player: null }],
      rows: [score('Ada', 0, { moves: 2, movesByRules: 1, rulesBroken: { 'promised-higher': 1 } }), score('Bo', 1)],
    };
    const table = scoreboardTable(sandbox);
    expect(table.sandbox).toBe(true);
    expect(table.rows.map((r) => r.rulesBroken)).toEqual(['1: 1 × never answer a ballot below your promise', 'none']);
    expect(table.commitPoints).toEqual(['Commit point at tick 5: X, by no player’s move at A.']);
  });

  it('keeps the scoreboard’s order, which rewards understanding, for a round played as a class plays it', () => {
    const played = playClassRound({
      protocol: 'paxos',
      nodes: 5,
      seed: 11,
      group: 4,
      students: [
        { nickname: 'Ada', node: 1, blunder: 0.3 },
        { nickname: 'Bo', node: 2 },
        { nickname: 'Cy', node: 3, blunder: 0.2 },
      ],
      ticks: 150,
    });
    const real = scoreRound(played.played).scoreboard;
    const table = scoreboardTable(real);
    expect(table.rows.map((r) => r.player)).toEqual(real.rows.map((r) => r.name));
    expect(table.rows.filter((r) => r.commitPoint).map((r) => r.player)).toEqual(real.rows.filter((r) => r.commitPoint).map((r) => r.name));
    for (const [i, row] of table.rows.entries()) {
      const source = real.rows[i]!;
      expect(row.seats).toBe(source.nodes.map(nodeName).join(', '));
      expect(row.learned).toBe(source.learned === null ? 'no' : `tick ${source.learned.tick}`);
      const refused = Object.values(source.refusals).reduce((a, b) => a + b, 0);
      expect(row.refused.startsWith(refused === 0 ? 'none' : `${refused}: `)).toBe(true);
    }
    expect(table.commitPoints.length).toBe(real.commitPoints.length);
  });
});

describe('a student’s own results', () => {
  it('says their moves, refusals by rule, commit points, learning and time to answer', () => {
    const report = classReport([board]);
    const line = reportLineOf(report, 'Ada')!.rows[0]!;
    expect(reportLineItems(line, 'paxos')).toEqual([
      { label: 'Rounds played', value: '1 (group 2)' },
      { label: 'Your moves', value: '5, 5 by the rules' },
      { label: 'Refused moves', value: '3: 2 × never answer a ballot below your promise, 1 × not in inbox' },
      { label: 'Your move was the commit point', value: 'not yet' },
      { label: 'You learned the outcome', value: 'in 1 of 1 round' },
      { label: 'Time to answer', value: 'no message answered yet' },
    ]);
    const bo = reportLineItems(reportLineOf(report, 'Bo')!.rows[0]!, 'paxos');
    expect(bo.find((i) => i.label === 'Your move was the commit point')!.value).toBe('in 1 round');
    expect(bo.find((i) => i.label === 'Time to answer')!.value).toBe('median 1 tick, mean 1 tick, over 2 answers');
  });

  it('names a rule by its title in any protocol, and any other refusal in words', () => {
    expect(refusalWords('vote-locked', null)).toBe('a vote is locked once cast');
    expect(refusalWords('promised-higher', 'paxos')).toBe('never answer a ballot below your promise');
    expect(refusalWords('stale-seq', 'paxos')).toBe('stale seq');
    expect(countsText({}, null)).toBe('none');
    expect(countsText({ a: 0 }, null)).toBe('none');
  });
});

import { describe, expect, it } from 'vitest';
import { protocolFor, protocolNames } from '../../shared/protocols';
import { playedRoundOf, scoreRound, type PlayerScore } from '../../shared/results';
import { parseRound, roundDocument, serializeRound } from '../../shared/engine/round';
import { playClassRound, scriptedRound, type ClassRound } from './helpers';
import { expectedScores, isSubMultiset } from './oracle';

const total = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
const slips = (row: PlayerScore): number => total(row.refusals) + total(row.rulesBroken);

/** A class round of five: students at B to E (one hands D over to another, one goes on autopilot), a bot at A. */
function classRound(protocol: string, seed: number, settings = {}): ClassRound {
  return playClassRound({
    protocol,
    nodes: 5,
    seed,
    group: 1,
    settings,
    students: [
      { nickname: 'Ada', node: 1, blunder: 0.3 },
      { nickname: 'Bo', node: 2, autopilotFromTick: 6 },
      { nickname: 'Cy', node: 3, toTick: 4, blunder: 0.2 },
      { nickname: 'Di', node: 3, fromTick: 4 },
      { nickname: 'Ed', node: 4, blunder: 0.1 },
    ],
    ticks: 150,
  });
}

function checkAgainstOracle(round: ClassRound): void {
  const board = scoreRound(round.played).scoreboard;
  const expected = expectedScores(round);
  const names = board.rows.map((r) => r.name);
  // Every player the oracle found something for has a row, and no row is there twice.
  for (const name of expected.keys()) expect(names).toContain(name);
  expect(new Set(names).size).toBe(names.length);
  for (const row of board.rows) {
    const e = expected.get(row.name) ?? { moves: 0, movesByRules: 0, refusals: {}, rulesBroken: {}, commitPoint: false, learned: null, answersByMsg: [] };
    expect({ name: row.name, moves: row.moves, movesByRules: row.movesByRules, refusals: row.refusals, rulesBroken: row.rulesBroken, commitPoint: row.commitPoint, learned: row.learned }).toEqual({
      name: row.name,
      moves: e.moves,
      movesByRules: e.movesByRules,
      refusals: e.refusals,
      rulesBroken: e.rulesBroken,
      commitPoint: e.commitPoint,
      learned: e.learned,
    });
    expect(isSubMultiset(e.answersByMsg, row.answerTicks), `${row.name}: ${JSON.stringify(e.answersByMsg)} in ${JSON.stringify(row.answerTicks)}`).toBe(true);
    expect(row.bot).toBe(row.nickname === null);
  }
  // The order rewards understanding: the commit point first, then those without a slip, then the most moves by the rules.
  for (let i = 1; i < board.rows.length; i++) {
    const [a, b] = [board.rows[i - 1]!, board.rows[i]!];
    expect(Number(a.commitPoint)).toBeGreaterThanOrEqual(Number(b.commitPoint));
    if (a.commitPoint !== b.commitPoint) continue;
    expect(Number(slips(a) === 0)).toBeGreaterThanOrEqual(Number(slips(b) === 0));
    if ((slips(a) === 0) === (slips(b) === 0)) expect(a.movesByRules).toBeGreaterThanOrEqual(b.movesByRules);
  }
  const final = round.world;
  expect(board.outcome).toBe(protocolFor(final.config.protocol).outcome(final));
  expect(board.commitPoints.map((c) => [c.decree, c.step, c.tick, c.node])).toEqual(final.global.chosen.map((c) => [c.decree, c.step, c.tick, c.node]));
}

describe("a round's scoreboard", () => {
  // Class rounds of five: a protocol kept for its lesson is scored in its lesson's tests.
  for (const protocol of protocolNames().filter((p) => !protocolFor(p).lessonOnly)) {
    it(`${protocol}: counts each player's moves, refusals by rule, commit point, learning and answers as the round's own worlds show them`, () => {
      let refused = 0;
      let committed = 0;
      let handedOver = 0;
      let autopiloted = 0;
      for (let seed = 1; seed <= 12; seed++) {
        const round = classRound(protocol, seed);
        refused += round.played.rejections.length;
        committed += round.world.global.chosen.length;
        autopiloted += round.played.botMoves.length;
        if (round.played.log.some((c, i) => c.type === 'act' && c.node === 3 && i >= round.played.holders.find((h) => h.nickname === 'Di')!.from)) handedOver += 1;
        checkAgainstOracle(round);
      }
      // The rounds had refusals, commit points, a seat that changed hands and a bot on autopilot to count.
      expect(refused).toBeGreaterThan(0);
      expect(committed).toBeGreaterThan(0);
      expect(handedOver).toBeGreaterThan(0);
      expect(autopiloted).toBeGreaterThan(0);
    });

    it(`${protocol}: in a sandbox round, counts the rules a move broke apart from the moves by the rules`, () => {
      let broken = 0;
      for (let seed = 1; seed <= 6; seed++) {
        const round = classRound(protocol, seed, { sandbox: true });
        broken += round.world.global.violations.filter((v) => v.node !== undefined).length;
        checkAgainstOracle(round);
      }
      expect(broken).toBeGreaterThan(0);
    });
  }

  it('reads a stored round document: its players held their seats throughout', () => {
    const round = classRound('paxos', 3);
    const players = [...new Map(round.played.holders.map((h) => [h.node, h.nickname]))].map(([node, nickname]) => ({ node, nickname }));
    const played = playedRoundOf(roundDocument(round.played.config, round.played.log, { players, rejections: [...round.played.rejections] }), 'r1', 4);
    expect(played.holders).toEqual(players.map((p) => ({ ...p, from: 0, to: null })));
    const board = scoreRound(played).scoreboard;
    expect(board.group).toBe(4);
    expect(board.rows.filter((r) => !r.bot).map((r) => r.nickname).sort()).toEqual(players.map((p) => p.nickname).sort());
  });
});

describe('a stored round with its seating', () => {
  it('credits each move to whoever made it: seats that changed hands and bots on autopilot, as played', () => {
    const round = classRound('paxos', 3);
    const { config, log, rejections, holders, botMoves } = round.played;
    // The round had a seat change hands and a bot moving for a student, which players alone cannot tell.
    expect(new Set(holders.map((h) => h.node)).size).toBeLessThan(holders.length);
    expect(botMoves.length).toBeGreaterThan(0);
    const players = [...new Map(holders.map((h) => [h.node, h.nickname]))].map(([node, nickname]) => ({ node, nickname }));
    const parsed = parseRound(serializeRound(roundDocument(config, log, { players, rejections: [...rejections], group: 2, holders: [...holders], botMoves: [...botMoves] })));
    if (!parsed.ok) throw new Error(parsed.error);
    const played = playedRoundOf(parsed.round, round.played.id, 9);
    expect(played).toEqual({ ...round.played, group: 2 });
    expect(scoreRound(played).scoreboard).toEqual({ ...scoreRound(round.played).scoreboard, group: 2 });
    // Without its seating, the same document credits the bot's moves and the first holder's to the last holders.
    const bare = playedRoundOf(roundDocument(config, log, { players, rejections: [...rejections] }), round.played.id, 9);
    expect(bare.group).toBe(9);
    expect(scoreRound(bare).scoreboard.rows).not.toEqual(scoreRound(played).scoreboard.rows);
  });
});

describe('the scoreboard of a scripted Paxos round', () => {
  // A is a bot. Ada (B) answers her PREPARE after 2 ticks, but first tries to ACCEPT it and is refused;
  // Bo (C) promises after 5 ticks and accepts at once, and his acceptance is the commit point.
  const round = scriptedRound(
    [
      'config paxos nodes=3 seed=1 latency=1-1',
      'propose A X',
      'act A prepare ballot=1',
      'tick',
      'try act B accept msg=1',
      'tick 2',
      'act B promise msg=1',
      'tick 3',
      'act C promise msg=2',
      'act A propose value=X',
      'tick',
      'act C accept msg=6',
      'tick',
    ],
    [
      { node: 1, nickname: 'Ada', from: 0, to: null },
      { node: 2, nickname: 'Bo', from: 0, to: null },
    ],
  );
  const board = scoreRound(round.played).scoreboard;
  const row = (name: string): PlayerScore => board.rows.find((r) => r.name === name)!;

  it('names whose move was the commit point', () => {
    expect(board.commitPoints).toEqual([{ decree: 'X', step: 12, tick: 7, node: 2, player: 'Bo' }]);
    expect(board.rows.filter((r) => r.commitPoint).map((r) => r.name)).toEqual(['Bo']);
  });

  it('counts the refusal by its code, and the time to answer from delivery to the answering move', () => {
    expect(row('Ada')).toMatchObject({ moves: 1, movesByRules: 1, refusals: { 'wrong-message': 1 }, answerTicks: [2], unanswered: 1 });
    expect(row('Bo')).toMatchObject({ moves: 2, movesByRules: 2, refusals: {}, answerTicks: [5, 0], meanAnswerTicks: 2.5, medianAnswerTicks: 2.5, unanswered: 0 });
    expect(row('bot at A')).toMatchObject({ bot: true, nickname: null, moves: 2, answerTicks: [] });
  });

  it('says when each node learned the outcome', () => {
    expect(board.rows.map((r) => [r.name, r.learned])).toEqual([
      ['Bo', { node: 2, tick: 7 }],
      ['bot at A', { node: 0, tick: 8 }],
      ['Ada', { node: 1, tick: 8 }],
    ]);
  });

  it('ranks by understanding, not speed: Ada answered faster, but was refused', () => {
    expect(row('Ada').meanAnswerTicks).toBeLessThan(row('Bo').meanAnswerTicks!);
    expect(board.rows.map((r) => r.name)).toEqual(['Bo', 'bot at A', 'Ada']);
  });
});

describe('the scoreboard of scripted 2PC and majority rounds', () => {
  const students = (names: string[]) => names.map((nickname, i) => ({ node: i + 1, nickname, from: 0, to: null }));

  it('2PC: the coordinator learns the outcome when it logs it, the participants when it reaches them; after a crash nobody learns', () => {
    const prepared = ['config 2pc nodes=4 seed=2 latency=1-1 timeout=10', 'propose A X', 'act A prepare decree=X', 'tick', 'act B vote msg=1 vote=yes', 'act C vote msg=2 vote=yes', 'act D vote msg=3 vote=yes', 'tick'];
    const committed = scoreRound(scriptedRound([...prepared, 'act A decide outcome=commit', 'tick'], students(['Ada', 'Bo', 'Cy'])).played).scoreboard;
    expect(committed.commitPoints.map((c) => c.player)).toEqual(['bot at A']);
    expect(committed.rows.map((r) => [r.name, r.learned?.tick ?? null, r.answerTicks])).toEqual([
      ['bot at A', 2, []],
      ['Ada', 3, [0]],
      ['Bo', 3, [0]],
      ['Cy', 3, [0]],
    ]);
    const crashed = scoreRound(scriptedRound([...prepared, 'crash A', 'tick 10', 'try act B abort'], students(['Ada', 'Bo', 'Cy'])).played).scoreboard;
    expect(crashed.rows.every((r) => r.learned === null)).toBe(true);
    expect(crashed.commitPoints).toEqual([]);
    expect(crashed.rows.find((r) => r.name === 'Ada')!.refusals).toEqual({ 'in-doubt': 1 });
    expect(crashed.rows.map((r) => r.name)).toEqual(['bot at A', 'Bo', 'Cy', 'Ada']);
  });

  it('2PC sandbox: a participant that aborted against a logged COMMIT never learned the outcome', () => {
    const lines = ['config 2pc nodes=3 seed=2 latency=1-1 timeout=10 sandbox', 'propose A X', 'act A prepare decree=X', 'tick', 'act B vote msg=1 vote=yes', 'act C vote msg=2 vote=yes', 'tick', 'act A decide outcome=commit', 'act B abort', 'tick'];
    const board = scoreRound(scriptedRound(lines, students(['Ada', 'Bo'])).played).scoreboard;
    expect(board.rows.map((r) => [r.name, r.learned?.tick ?? null, r.rulesBroken])).toEqual([
      ['bot at A', 2, {}],
      ['Bo', 3, {}],
      ['Ada', null, { 'in-doubt': 1 }],
    ]);
  });

  it('majority: a vote answers every CANDIDATE waiting; a split round has no commit point and nobody learns', () => {
    const split = scriptedRound(
      ['config majority nodes=4 seed=1 latency=1-1', 'propose A X', 'propose C Y', 'act A putForward decree=X', 'act C putForward decree=Y', 'tick 3', 'act A vote decree=X', 'act B vote decree=X', 'act C vote decree=Y', 'act D vote decree=Y', 'tick 2'],
      students(['Ada', 'Bo', 'Cy']),
    );
    const board = scoreRound(split.played).scoreboard;
    expect(board.stuck).toBe(true);
    expect(board.commitPoints).toEqual([]);
    expect(board.rows.every((r) => r.learned === null && !r.commitPoint)).toBe(true);
    // B heard both candidates at tick 1 and voted at tick 3: its one vote answered both.
    expect(board.rows.find((r) => r.name === 'Ada')!.answerTicks).toEqual([2, 2]);
    expect(board.rows.find((r) => r.name === 'Bo')!.answerTicks).toEqual([2]);
  });

  it("a bot's move at a student's seat (autopilot) is the bot's, and a refusal is the holder's at its step", () => {
    const lines = ['config majority nodes=3 seed=1 latency=1-1', 'propose A X', 'act A putForward decree=X', 'tick', 'act B vote decree=X', 'try act C vote decree=Z', 'tick', 'act C vote decree=X', 'tick'];
    const round = scriptedRound(lines, [
      { node: 2, nickname: 'Cy', from: 0, to: 5 },
      { node: 2, nickname: 'Di', from: 5, to: null },
      { node: 1, nickname: 'Bo', from: 0, to: null },
    ]);
    round.played = { ...round.played, botMoves: [3] };
    const board = scoreRound(round.played).scoreboard;
    const row = (name: string) => board.rows.find((r) => r.name === name);
    // Step 3 is B's vote, made by a bot on autopilot; C's refused vote for Z came at step 4, while Cy held C; Di voted at step 5.
    expect(row('Bo')).toMatchObject({ moves: 0, answerTicks: [] });
    expect(row('bot at B')).toMatchObject({ moves: 1, answerTicks: [0] });
    expect(row('Cy')).toMatchObject({ moves: 0, refusals: { 'unknown-candidate': 1 } });
    expect(row('Di')).toMatchObject({ moves: 1, refusals: {}, commitPoint: true });
  });
});

import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classReportCsv, classReportDocument, scoreRound, type ClassReportDocument, type PlayedRound, type RoundScoreboard } from '../../shared/results';
import { ClassReports, ReportUnavailable } from '../../server/reports';
import { RoundStore, type RoundRow } from '../../server/store';
import { playClassRound } from '../results/helpers';
import { createClass, startTestServer, type TestServer } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

const stamp = (minute: number): string => new Date(Date.UTC(2026, 0, 1, 9, minute)).toISOString();

/**
 * Stores a played round as a room stores it: begun, every command appended, the refused moves, then
 * finished with who held its seats when. `prefix` commands go in as a fork's starting commands do.
 */
function store(code: string, played: PlayedRound, startedAt: string, options: { prefix?: number; state?: 'finished' | 'interrupted' | 'running' } = {}): void {
  const players = [...new Map(played.holders.map((h) => [h.node, h.nickname]))].map(([node, nickname]) => ({ node, nickname }));
  const first = options.prefix ?? 0;
  const prefix = first > 0 ? { deflated: deflateSync(JSON.stringify(played.log.slice(0, first))), count: first } : null;
  server.store.beginRound(played.id, code, played.config, players, startedAt, prefix, played.group);
  for (const command of played.log.slice(first)) server.store.append(played.id, command);
  for (const rejection of played.rejections) server.store.appendRejection(played.id, rejection);
  if (options.state === 'running') return;
  server.store.finishRound(played.id, null, {}, players, startedAt, options.state ?? 'finished', { holders: [...played.holders], botMoves: [...played.botMoves] });
}

/** A group's round of five seats: Ada blunders, Bo goes on autopilot, Cy hands C over to Di; the nicknames differ by group. */
function groupRound(protocol: string, group: number, seed: number, suffix = ''): PlayedRound {
  const round = playClassRound({
    protocol,
    nodes: 5,
    seed,
    group,
    students: [
      { nickname: `Ada${group}${suffix}`, node: 1, blunder: 0.3 },
      { nickname: `Bo${group}`, node: 2, autopilotFromTick: 6 },
      { nickname: `Cy${group}`, node: 3, toTick: 4, blunder: 0.2 },
      { nickname: `=Di${group}`, node: 3, fromTick: 4 },
    ],
    ticks: 120,
  }).played;
  return { ...round, id: `${round.id}-${code}` };
}

let code = '';
let key = '';

async function getReport(format: string, headers: Record<string, string> = { 'x-instructor-key': key }, classCode = code): Promise<Response> {
  return fetch(`${server.url}/api/classes/${classCode}/report?format=${format}`, { headers });
}

const scoreboards = (rounds: PlayedRound[]): RoundScoreboard[] => rounds.map((r) => scoreRound(r).scoreboard);

describe('GET /api/classes/:code/report', () => {
  let rounds: PlayedRound[] = [];

  beforeAll(async () => {
    ({ code, instructorKey: key } = await createClass(server.url, 'Distributed systems, "week 3"'));
    // Two rounds of three groups: stored out of group order, the second round's group 2 interrupted.
    const first = [groupRound('paxos', 3, 31), groupRound('paxos', 1, 11), groupRound('paxos', 2, 21)];
    const second = [groupRound('2pc', 2, 22), groupRound('2pc', 1, 12)];
    store(code, first[0]!, stamp(0));
    store(code, first[1]!, stamp(0), { prefix: 7 });
    store(code, first[2]!, stamp(0));
    store(code, second[0]!, stamp(10), { state: 'interrupted' });
    store(code, second[1]!, stamp(10));
    // Neither a round still running nor another class's round is in the report.
    store(code, groupRound('majority', 3, 32), stamp(10), { state: 'running' });
    const other = await createClass(server.url);
    store(other.code, groupRound('majority', 1, 41, 'x'), stamp(0));
    // In the order the rounds list: by start, then group.
    rounds = [first[1]!, first[2]!, first[0]!, second[1]!, second[0]!];
  });

  it('lists the class\'s rounds by group within each start, each with its group', async () => {
    const res = await fetch(`${server.url}/api/rounds?class=${code}`, { headers: { 'x-instructor-key': key } });
    const body = (await res.json()) as { rounds: RoundRow[] };
    expect(body.rounds.filter((r) => r.state !== 'running').map((r) => [r.id, r.group])).toEqual(rounds.map((r) => [r.id, r.group]));
  });

  it('answers JSON: the class report over every finished or interrupted round, with each group\'s round', async () => {
    const res = await getReport('json');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const report = (await res.json()) as ClassReportDocument;
    const expected = classReportDocument(code, 'Distributed systems, "week 3"', scoreboards(rounds));
    expect(report).toEqual(expected);
    expect(report.rounds).toBe(5);
    expect(report.groups.map((g) => [g.group, g.roundId])).toEqual(rounds.map((r) => [r.group, r.id]));
    // The seating was used: Bo's seat was played by a bot on autopilot, and C changed hands.
    const bo = report.rows.find((r) => r.nickname === 'Bo1')!;
    const botAtBo = scoreRound(rounds[0]!).scoreboard.rows.find((r) => r.bot && r.nodes.includes(2));
    expect(botAtBo?.moves ?? 0).toBeGreaterThan(0);
    expect(bo.moves).toBeLessThan(scoreRound({ ...rounds[0]!, botMoves: [] }).scoreboard.rows.find((r) => r.nickname === 'Bo1')!.moves);
    expect(report.rows.map((r) => r.nickname)).toContain('Cy2');
    expect(report.refusalCodes.length).toBeGreaterThan(0);
  });

  it('answers CSV as a file to save, one line per student', async () => {
    const res = await getReport('csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="quorum-${code}-report.csv"`);
    const text = await res.text();
    expect(text).toBe(classReportCsv(classReportDocument(code, '', scoreboards(rounds))));
    const lines = text.trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + new Set(rounds.flatMap((r) => r.holders.map((h) => h.nickname))).size);
    // A nickname a spreadsheet would run as a formula stays text.
    expect(lines.some((l) => l.startsWith("'=Di1,"))).toBe(true);
  });

  it('takes in the next round once it has finished, and gives each student their own line', async () => {
    const next = groupRound('majority', 1, 13);
    store(code, next, stamp(20));
    const report = (await (await getReport('json')).json()) as ClassReportDocument;
    expect(report).toEqual(classReportDocument(code, 'Distributed systems, "week 3"', scoreboards([...rounds, next])));
    const line = await server.reports.reportLineFor(code, 'Ada1');
    expect(line).toEqual(report.rows.find((r) => r.nickname === 'Ada1'));
    expect(line!.roundsPlayed).toBe(3);
    expect(await server.reports.reportLineFor(code, 'Nobody')).toBeNull();
    expect(await server.reports.reportLineFor('NOCLASS', 'Ada1')).toBeNull();
  });

  it('refuses without the instructor key, or with another class\'s', async () => {
    const other = await createClass(server.url);
    const refused: Record<string, string>[] = [{}, { 'x-instructor-key': other.instructorKey }, { 'x-instructor-key': `${key}x` }];
    for (const headers of refused) {
      const res = await getReport('json', headers);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: string }).error).toMatch(/x-instructor-key header must hold the instructor key/);
    }
    expect((await getReport('csv', {})).status).toBe(403);
  });

  it('refuses a format it does not know', async () => {
    for (const format of ['xml', 'JSON', '']) {
      const res = await getReport(format);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/\?format=json or \?format=csv/);
    }
    expect((await fetch(`${server.url}/api/classes/${code}/report`, { headers: { 'x-instructor-key': key } })).status).toBe(400);
  });

  it('answers 404 for a class that does not exist', async () => {
    for (const unknown of ['ZZZZZZ', 'no%20such', 'x'.repeat(40)]) {
      const res = await getReport('json', { 'x-instructor-key': key }, unknown);
      expect(res.status).toBe(404);
    }
  });
});

describe('class reports off the rooms\' thread', () => {
  function classStore(): { store: RoundStore; rounds: PlayedRound[] } {
    const store = new RoundStore(':memory:');
    store.createClass('QQQQQQ', 'Q', 'key', stamp(0));
    const rounds = [groupRound('paxos', 1, 51), groupRound('majority', 2, 52)];
    for (const [i, round] of rounds.entries()) {
      const players = round.holders.map((h) => ({ node: h.node, nickname: h.nickname }));
      store.beginRound(round.id, 'QQQQQQ', round.config, players, stamp(i), null, round.group);
      for (const command of round.log) store.append(round.id, command);
      store.finishRound(round.id, null, {}, players, stamp(i), 'finished', { holders: [...round.holders], botMoves: [...round.botMoves] });
    }
    return { store, rounds };
  }

  it('leaves out a round that does not re-run, and says so', async () => {
    const { store, rounds } = classStore();
    // A stored command the engine refuses: the round cannot be scored.
    const broken = { ...groupRound('2pc', 3, 53), id: 'broken' };
    store.beginRound('broken', 'QQQQQQ', broken.config, [], stamp(5), null, 3);
    store.append('broken', { type: 'drop', id: 99_999 });
    store.finishRound('broken', null, {}, [], stamp(5));
    const lines: string[] = [];
    const reports = new ClassReports(store, {}, (line) => lines.push(line));
    try {
      const report = await reports.report('QQQQQQ');
      expect(report).toEqual(classReportDocument('QQQQQQ', 'Q', scoreboards(rounds)));
      expect(lines.join('\n')).toMatch(/leaves out round broken, which could not be scored: .*command 0 \(drop\) is refused/);
      expect(await reports.report('NOCLASS')).toBeNull();
    } finally {
      await reports.close();
      store.close();
    }
  });

  it('gives up on a report the worker does not finish in time, and works it out when asked again', async () => {
    const { store, rounds } = classStore();
    const lines: string[] = [];
    // No worker starts and scores a round within a millisecond.
    const hasty = new ClassReports(store, { jobMs: 1 }, (line) => lines.push(line));
    const patient = new ClassReports(store);
    try {
      await expect(hasty.report('QQQQQQ')).rejects.toThrow(ReportUnavailable);
      expect(lines.join('\n')).toMatch(/took longer than 1 ms: the report worker is restarted/);
      expect(await patient.report('QQQQQQ')).toEqual(classReportDocument('QQQQQQ', 'Q', scoreboards(rounds)));
    } finally {
      await hasty.close();
      await patient.close();
      store.close();
    }
  });
});

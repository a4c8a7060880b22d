import { describe, expect, it } from 'vitest';
import { nodeName } from '../../shared/engine/names';
import { protocolFor, protocolNames } from '../../shared/protocols';
import { classReport, classReportCsv, csvField, reportLineOf, scoreRound, type RoundScoreboard } from '../../shared/results';
import { playClassRound } from './helpers';

/** Parses CSV as RFC 4180 reads it: quoted fields may hold commas, quotes (doubled) and line breaks; lines end in CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), (i += 2);
      else if (c === '"') (quoted = false), (i += 1);
      else (field += c), (i += 1);
    } else if (c === '"' && field === '') (quoted = true), (i += 1);
    else if (c === ',') row.push(field), (field = ''), (i += 1);
    else if (c === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), (i += 2);
    else if (c === '\n' || c === '\r' || c === '"') throw new Error(`bare ${JSON.stringify(c)} at ${i}`);
    else (field += c), (i += 1);
  }
  if (field !== '' || row.length > 0) throw new Error('the last line does not end in CRLF');
  return rows;
}

const NICKNAMES = ['Ada', '=HYPERLINK("x")', 'Bo, "the" best', '+1', '-2', '@me', 'Cy'];

/** A class of three groups of four, two rounds each, for one protocol: the same students in the same group, seats shuffled between rounds. */
function classOf(protocol: string): RoundScoreboard[] {
  const boards: RoundScoreboard[] = [];
  for (let group = 1; group <= 3; group++) {
    for (let round = 0; round < 2; round++) {
      const names = NICKNAMES.slice((group - 1) * 2, (group - 1) * 2 + 3);
      const students = names.map((nickname, i) => ({ nickname, node: 1 + ((i + round) % 3), blunder: 0.2 }));
      const played = playClassRound({ protocol, nodes: 4, seed: group * 10 + round, group, students, ticks: 120 }).played;
      boards.push(scoreRound(played).scoreboard);
    }
  }
  return boards;
}

const mean = (xs: number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

describe('the class report', () => {
  // A class never plays a protocol kept for its lesson.
  for (const protocol of protocolNames().filter((p) => !protocolFor(p).lessonOnly)) {
    it(`${protocol}: one line per student over every round and group, summing their scoreboard rows`, () => {
      const boards = classOf(protocol);
      const report = classReport(boards);
      expect(report.rounds).toBe(6);
      expect(report.rows.map((r) => r.nickname)).toEqual([...new Set(boards.flatMap((b) => b.rows.filter((r) => !r.bot).map((r) => r.nickname!)))].sort());
      let refused = 0;
      for (const row of report.rows) {
        const mine = boards.flatMap((b) => b.rows.filter((r) => r.nickname === row.nickname).map((r) => ({ board: b, r })));
        const answers = mine.flatMap((m) => m.r.answerTicks);
        const refusals: Record<string, number> = {};
        for (const { r } of mine) for (const [code, n] of Object.entries(r.refusals)) refusals[code] = (refusals[code] ?? 0) + n;
        refused += Object.values(refusals).reduce((a, b) => a + b, 0);
        expect(row).toEqual({
          nickname: row.nickname,
          roundsPlayed: mine.length,
          seats: mine.reduce((n, m) => n + m.r.nodes.length, 0),
          seatNames: [...new Set(mine.flatMap((m) => m.r.nodes))].sort().map(nodeName),
          groups: [...new Set(mine.map((m) => m.board.group))].sort(),
          moves: mine.reduce((n, m) => n + m.r.moves, 0),
          movesByRules: mine.reduce((n, m) => n + m.r.movesByRules, 0),
          refusals,
          rulesBroken: {},
          commitPoints: mine.filter((m) => m.r.commitPoint).length,
          learned: mine.filter((m) => m.r.learned !== null).length,
          answers: answers.length,
          meanAnswerTicks: mean(answers),
          medianAnswerTicks: median(answers),
          unanswered: mine.reduce((n, m) => n + m.r.unanswered, 0),
        });
      }
      expect(refused).toBeGreaterThan(0);
      expect(report.refusalCodes).toEqual([...new Set(report.rows.flatMap((r) => Object.keys(r.refusals)))].sort());
    });
  }

  it('as CSV: RFC 4180, one line per student, every number as in the JSON, and no cell a spreadsheet would run as a formula', () => {
    const report = classReport(classOf('2pc'));
    const csv = classReportCsv(report);
    expect(csv.endsWith('\r\n')).toBe(true);
    const [header, ...lines] = parseCsv(csv);
    expect(lines.length).toBe(report.rows.length);
    const column = (name: string): number => header!.indexOf(name);
    expect(header!.slice(0, 8)).toEqual(['nickname', 'rounds played', 'seats held', 'seats', 'groups', 'moves', 'moves by the rules', 'refusals']);
    for (const code of report.refusalCodes) expect(header).toContain(`refused: ${code}`);
    report.rows.forEach((row, i) => {
      const line = lines[i]!;
      expect(line.length).toBe(header!.length);
      const nickname = /^[=+\-@]/.test(row.nickname) ? `'${row.nickname}` : row.nickname;
      expect(line[column('nickname')]).toBe(nickname);
      expect(Number(line[column('moves')])).toBe(row.moves);
      expect(Number(line[column('rounds played')])).toBe(row.roundsPlayed);
      expect(line[column('seats')]).toBe(row.seatNames.join(' '));
      for (const code of report.refusalCodes) expect(Number(line[column(`refused: ${code}`)])).toBe(row.refusals[code] ?? 0);
      expect(Number(line[column('refusals')])).toBe(Object.values(row.refusals).reduce((a, b) => a + b, 0));
      const meanCell = line[column('mean ticks to answer')]!;
      expect(meanCell === '' ? null : Number(meanCell)).toBe(row.meanAnswerTicks === null ? null : Math.round(row.meanAnswerTicks * 10) / 10);
    });
    // The nicknames that look like formulas were all in the class, and each is text now.
    expect(lines.map((l) => l[0])).toEqual(expect.arrayContaining(["'=HYPERLINK(\"x\")", "'+1", "'-2", "'@me", 'Bo, "the" best']));
  });

  it('guards every field that starts like a formula, tab and carriage return included, and quotes what needs quoting', () => {
    expect(csvField('=1+2')).toBe("'=1+2");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField('\rx')).toBe('"\'\rx"');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('=a,"b"')).toBe('"\'=a,""b"""');
    expect(csvField('Ada')).toBe('Ada');
    expect(csvField(2.25)).toBe('2.3');
    expect(csvField(null)).toBe('');
  });

  it("a student's own line alone: nothing of anyone else's, not even the codes others were refused by", () => {
    const report = classReport(classOf('paxos'));
    const someone = report.rows.find((r) => Object.keys(r.refusals).length < report.refusalCodes.length) ?? report.rows[0]!;
    const own = reportLineOf(report, someone.nickname)!;
    expect(own.rows).toEqual([someone]);
    expect(own.refusalCodes).toEqual(Object.keys(someone.refusals).sort());
    expect(own.rounds).toBe(someone.roundsPlayed);
    const csv = parseCsv(classReportCsv(own));
    expect(csv.length).toBe(2);
    for (const other of report.rows.filter((r) => r !== someone)) expect(JSON.stringify(own)).not.toContain(JSON.stringify(other.nickname));
    expect(reportLineOf(report, 'nobody')).toBeNull();
  });
});

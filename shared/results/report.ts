/**
 * The class report: one row per student over every round and group of a class, as typed JSON and as
 * CSV. A student may be shown their own line alone (`reportLineOf`), and nobody else's.
 */
import { nodeName } from '../engine/names';
import { mean, median, type RoundScoreboard } from './scoreboard';

export interface ClassReportRow {
  nickname: string;
  /** Rounds in which the student held a seat. */
  roundsPlayed: number;
  /** Seats held, one per round and seat: a student who played B in two rounds held two. */
  seats: number;
  /** The seats' names, each once: ["A", "C"]. */
  seatNames: string[];
  /** The groups the student played in, each once. */
  groups: number[];
  moves: number;
  movesByRules: number;
  /** Refused moves, by rejection code. */
  refusals: Record<string, number>;
  /** Rules broken in sandbox rounds, by code. */
  rulesBroken: Record<string, number>;
  /** Rounds in which one of the student's moves was a commit point. */
  commitPoints: number;
  /** Rounds in which the student's node learned the outcome. */
  learned: number;
  /** Messages answered (see `PlayerScore.answerTicks` for what the time to answer is). */
  answers: number;
  meanAnswerTicks: number | null;
  medianAnswerTicks: number | null;
  /** Messages left waiting in the student's inbox when a round ended. */
  unanswered: number;
}

export interface ClassReport {
  rounds: number;
  /** The rejection codes that appear in `refusals` of some row, sorted: the CSV's columns. */
  refusalCodes: string[];
  /** The rule codes that appear in `rulesBroken` of some row, sorted. */
  ruleCodes: string[];
  /** By nickname. */
  rows: ClassReportRow[];
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function add(into: Record<string, number>, from: Record<string, number>): void {
  for (const [code, n] of Object.entries(from)) into[code] = (into[code] ?? 0) + n;
}

function codesOf(rows: readonly ClassReportRow[], field: 'refusals' | 'rulesBroken'): string[] {
  return [...new Set(rows.flatMap((r) => Object.keys(r[field])))].sort(byText);
}

/** The class report over the scoreboards of every round of every group. Bots have no line. */
export function classReport(scoreboards: readonly RoundScoreboard[]): ClassReport {
  const rows = new Map<string, ClassReportRow & { answerTicks: number[]; seatSet: Set<number>; groupSet: Set<number> }>();
  for (const board of scoreboards) {
    for (const score of board.rows) {
      if (score.nickname === null) continue;
      let row = rows.get(score.nickname);
      if (!row) {
        row = {
          nickname: score.nickname,
          roundsPlayed: 0,
          seats: 0,
          seatNames: [],
          groups: [],
          moves: 0,
          movesByRules: 0,
          refusals: {},
          rulesBroken: {},
          commitPoints: 0,
          learned: 0,
          answers: 0,
          meanAnswerTicks: null,
          medianAnswerTicks: null,
          unanswered: 0,
          answerTicks: [],
          seatSet: new Set(),
          groupSet: new Set(),
        };
        rows.set(score.nickname, row);
      }
      row.roundsPlayed += 1;
      row.seats += score.nodes.length;
      for (const node of score.nodes) row.seatSet.add(node);
      row.groupSet.add(board.group);
      row.moves += score.moves;
      row.movesByRules += score.movesByRules;
      add(row.refusals, score.refusals);
      add(row.rulesBroken, score.rulesBroken);
      if (score.commitPoint) row.commitPoints += 1;
      if (score.learned !== null) row.learned += 1;
      row.answerTicks.push(...score.answerTicks);
      row.unanswered += score.unanswered;
    }
  }
  const out: ClassReportRow[] = [...rows.values()]
    .map(({ answerTicks, seatSet, groupSet, ...row }) => ({
      ...row,
      seatNames: [...seatSet].sort((a, b) => a - b).map(nodeName),
      groups: [...groupSet].sort((a, b) => a - b),
      answers: answerTicks.length,
      meanAnswerTicks: mean(answerTicks),
      medianAnswerTicks: median(answerTicks),
    }))
    .sort((a, b) => byText(a.nickname, b.nickname));
  return { rounds: scoreboards.length, refusalCodes: codesOf(out, 'refusals'), ruleCodes: codesOf(out, 'rulesBroken'), rows: out };
}

/** One group's round as the class report lists it. */
export interface ReportedRound {
  group: number;
  roundId: string;
  outcome: string | null;
  /** The round reached its goal: decided, and known to every seat that must know it. */
  decided: boolean;
  stuck: boolean;
}

/** The class report as `GET /api/classes/:code/report?format=json` answers it. */
export interface ClassReportDocument extends ClassReport {
  class: string;
  /** "" when the class is unnamed. */
  title: string;
  /** Every round of every group, in the order they were played (by start, then group). */
  groups: ReportedRound[];
}

/** The class report over these scoreboards, named for its class, with each group's round listed. */
export function classReportDocument(classCode: string, title: string, scoreboards: readonly RoundScoreboard[]): ClassReportDocument {
  return {
    class: classCode,
    title,
    ...classReport(scoreboards),
    groups: scoreboards.map((b) => ({ group: b.group, roundId: b.roundId, outcome: b.outcome, decided: b.decided, stuck: b.stuck })),
  };
}

/**
 * The report as one student may see it: their own line and nothing of anyone else's (not even which
 * codes others were refused by). Null when the class has no line for that nickname.
 */
export function reportLineOf(report: ClassReport, nickname: string): ClassReport | null {
  const row = report.rows.find((r) => r.nickname === nickname);
  if (!row) return null;
  return { rounds: row.roundsPlayed, refusalCodes: codesOf([row], 'refusals'), ruleCodes: codesOf([row], 'rulesBroken'), rows: [row] };
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled.
 * A field a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage
 * return) is prefixed with an apostrophe first, so that it stays text.
 */
export function csvField(value: string | number | null): string {
  let text = value === null ? '' : typeof value === 'number' ? String(Math.round(value * 10) / 10) : value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The report as CSV (RFC 4180, CRLF line ends): a header line, then one line per student. Times are in ticks, to one decimal. */
export function classReportCsv(report: ClassReport): string {
  const header = [
    'nickname',
    'rounds played',
    'seats held',
    'seats',
    'groups',
    'moves',
    'moves by the rules',
    'refusals',
    ...report.refusalCodes.map((c) => `refused: ${c}`),
    'rules broken',
    ...report.ruleCodes.map((c) => `broke: ${c}`),
    'commit points',
    'learned the outcome (rounds)',
    'messages answered',
    'mean ticks to answer',
    'median ticks to answer',
    'left unanswered',
  ];
  const sum = (record: Record<string, number>): number => Object.values(record).reduce((a, b) => a + b, 0);
  const lines = report.rows.map((r) => [
    r.nickname,
    r.roundsPlayed,
    r.seats,
    r.seatNames.join(' '),
    r.groups.join(' '),
    r.moves,
    r.movesByRules,
    sum(r.refusals),
    ...report.refusalCodes.map((c) => r.refusals[c] ?? 0),
    sum(r.rulesBroken),
    ...report.ruleCodes.map((c) => r.rulesBroken[c] ?? 0),
    r.commitPoints,
    r.learned,
    r.answers,
    r.meanAnswerTicks,
    r.medianAnswerTicks,
    r.unanswered,
  ]);
  return [header, ...lines].map((fields) => fields.map(csvField).join(',')).join('\r\n') + '\r\n';
}

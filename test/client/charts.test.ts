import { describe, expect, it } from 'vitest';
import { answerTimesChart, escapeMarkup, groupOutcomes, groupOutcomesChart, medianAnswers, refusalsByCode, refusalsChart } from '../../client/src/charts';
import { describeSummary, rowSummary } from '../../client/src/replay/library';
import { reportFileName } from '../../client/src/ui/reportPanel';
import { classReportDocument, type ClassReportDocument, type ClassReportRow } from '../../shared/results';

function row(nickname: string, fields: Partial<ClassReportRow> = {}): ClassReportRow {
  return {
    nickname,
    roundsPlayed: 1,
    seats: 1,
    seatNames: ['B'],
    groups: [1],
    moves: 3,
    movesByRules: 3,
    refusals: {},
    rulesBroken: {},
    commitPoints: 0,
    learned: 1,
    answers: 2,
    meanAnswerTicks: 3,
    medianAnswerTicks: 3,
    unanswered: 0,
    ...fields,
  };
}

const HOSTILE = '<script>alert("x")</script> & \'co\'';

const report: ClassReportDocument = {
  ...classReportDocument('ABCDEF', 'Week 3', []),
  rounds: 5,
  refusalCodes: ['promised-higher', 'vote-locked', 'wrong-message'],
  rows: [
    row('Ada', { refusals: { 'promised-higher': 2, 'vote-locked': 1 }, medianAnswerTicks: 4.5 }),
    row(HOSTILE, { refusals: { 'promised-higher': 4 }, medianAnswerTicks: 9 }),
    row('Cy', { answers: 0, meanAnswerTicks: null, medianAnswerTicks: null }),
  ],
  groups: [
    { group: 2, roundId: 'a', outcome: 'X', decided: true, stuck: false },
    { group: 1, roundId: 'b', outcome: null, decided: false, stuck: true },
    { group: 1, roundId: 'c', outcome: 'Y', decided: true, stuck: false },
    { group: 2, roundId: 'd', outcome: 'X', decided: true, stuck: false },
    { group: 1, roundId: 'e', outcome: null, decided: false, stuck: false },
  ],
};

/** The chart's markup is well formed: every tag closed in order, no stray `<` or `&` in text. */
function expectWellFormed(markup: string): void {
  const open: string[] = [];
  for (const match of markup.matchAll(/<(\/?)([a-z]+)((?:\s+[a-zA-Z:-]+="[^"<]*")*)\s*(\/?)>|<|&(?!(?:amp|lt|gt|quot|#39);)/g)) {
    if (match[2] === undefined) throw new Error(`stray ${match[0]} at ${match.index}: ${markup.slice(match.index!, match.index! + 40)}`);
    if (match[4]) continue;
    if (match[1]) expect(open.pop(), markup).toBe(match[2]);
    else open.push(match[2]);
  }
  expect(open).toEqual([]);
}

/** The bars of each row of a chart: their widths and values, row by row. */
function barsOf(markup: string): { widths: number[]; values: number[] }[] {
  return [...markup.matchAll(/<g data-row="\d+">(.*?)<\/g>/g)].map((m) => ({
    widths: [...m[1]!.matchAll(/<rect [^>]*width="([\d.]+)"/g)].map((r) => Number(r[1])),
    values: [...m[1]!.matchAll(/data-value="([\d.]+)"/g)].map((r) => Number(r[1])),
  }));
}

describe('the class report charts', () => {
  it('escapes text for markup', () => {
    expect(escapeMarkup(HOSTILE)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;');
  });

  it('refusals by rule: one bar per code refused, most first, scaled to the largest', () => {
    expect(refusalsByCode(report)).toEqual([
      { code: 'promised-higher', count: 6 },
      { code: 'vote-locked', count: 1 },
    ]);
    const svg = refusalsChart(report);
    expectWellFormed(svg);
    const bars = barsOf(svg);
    expect(bars.map((b) => b.values)).toEqual([[6], [1]]);
    expect(bars[0]!.widths[0]! / bars[1]!.widths[0]!).toBeCloseTo(6, 1);
    expect(svg).toContain('>promised-higher</text>');
    expect(svg).toContain('role="img"');
  });

  it('time to answer: one bar per student of their median, none for a student who answered nothing', () => {
    expect(medianAnswers(report).map((r) => r.median)).toEqual([4.5, 9, null]);
    const svg = answerTimesChart(report);
    expectWellFormed(svg);
    expect(svg).not.toContain('<script');
    const bars = barsOf(svg);
    expect(bars.map((b) => b.values)).toEqual([[4.5], [9], []]);
    expect(bars[1]!.widths[0]! / bars[0]!.widths[0]!).toBeCloseTo(2, 1);
    expect(svg).toContain('>4.5 ticks</text>');
    expect(answerTimesChart({ ...report, rows: [row('Di', { medianAnswerTicks: 1 })] })).toContain('>1 tick</text>');
    expect(svg).toContain('no answers');
    // A long nickname is cut short on the chart and whole in the tooltip, escaped in both.
    expect(svg).toContain('>&lt;script&gt;alert(&quot;x&quot;…</text>');
    expect(svg).toContain(`<title>${escapeMarkup(HOSTILE)}: 9 ticks</title>`);
  });

  it('decided against stuck: one stacked bar per group, in group order', () => {
    expect(groupOutcomes(report)).toEqual([
      { group: 1, decided: 1, stuck: 1, neither: 1 },
      { group: 2, decided: 2, stuck: 0, neither: 0 },
    ]);
    const svg = groupOutcomesChart(report);
    expectWellFormed(svg);
    const bars = barsOf(svg);
    expect(bars.map((b) => b.values)).toEqual([[1, 1, 1], [2]]);
    // Group 2's two rounds make the longest bar; group 1's three segments add up to one and a half times it.
    expect(bars[0]!.widths.reduce((a, b) => a + b, 0) / bars[1]!.widths[0]!).toBeCloseTo(1.5, 1);
    expect(svg).toContain('>Group 1</text>');
    expect(svg).toContain('1 of 3');
    for (const name of ['decided', 'stuck', 'neither']) expect(svg).toContain(`>${name}</text>`);
  });

  it('say so when there is nothing to draw', () => {
    const empty = classReportDocument('ABCDEF', '', []);
    expect(refusalsChart(empty)).toContain('No move was refused.');
    expect(answerTimesChart(empty)).toContain('No student has played a round yet.');
    expect(groupOutcomesChart(empty)).toContain('No round has ended yet.');
    for (const svg of [refusalsChart(empty), answerTimesChart(empty), groupOutcomesChart(empty)]) {
      expectWellFormed(svg);
      expect(barsOf(svg)).toEqual([]);
    }
  });

  it('names the downloaded files as the server names its CSV', () => {
    expect(reportFileName('ABCDEF', 'csv')).toBe('quorum-ABCDEF-report.csv');
    expect(reportFileName('ABCDEF', 'json')).toBe('quorum-ABCDEF-report.json');
  });
});

describe("the replays list of a class's rounds", () => {
  it("shows each round's group", () => {
    const base = { id: 'r1', state: 'finished', protocol: 'paxos' as const, nodes: 5, outcome: 'X', startedAt: '2026-01-01T09:00:00.000Z', endedAt: null, players: ['Ada'] };
    const grouped = rowSummary({ ...base, group: 2 }, 'ABCDEF');
    expect(grouped.group).toBe(2);
    expect(describeSummary(grouped)).toMatch(/ · group 2 · paxos · 5 nodes · outcome X · Ada$/);
    // A round stored before groups were kept says nothing of one.
    expect(describeSummary(rowSummary(base, 'ABCDEF'))).not.toContain('group');
  });
});

/**
 * Small charts of the class report for the instructor's dashboard: refusals by rule, each student's
 * median time to answer, and each group's rounds decided against stuck. Pure functions from the
 * report (`GET /api/classes/:code/report?format=json`) to inline SVG markup; every text in them is
 * escaped, since nicknames are whatever students typed.
 */
import type { ClassReportDocument } from '../../shared/results/report';

/** The chart's width in its own units; it scales to the panel. */
const WIDTH = 420;
const LABEL_WIDTH = 132;
const VALUE_WIDTH = 72;
const BAR_AREA = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
const ROW = 22;
const BAR = 14;
/** Room above the rows for the chart's heading, written in the chart. */
const TOP = 24;
/** Labels longer than this are cut short (the bar's tooltip has them whole). */
const LABEL_CHARACTERS = 18;

/** Okabe-Ito colours, as the rest of the game uses them. */
export const CHART_COLOURS = { refusal: '#d55e00', answer: '#56b4e9', decided: '#009e73', stuck: '#d55e00', neither: '#a3acbb' } as const;

/** Text made safe inside SVG (or HTML) markup, in element content and in quoted attributes. */
export function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function shortLabel(text: string): string {
  const characters = [...text];
  return characters.length <= LABEL_CHARACTERS ? text : `${characters.slice(0, LABEL_CHARACTERS - 1).join('')}…`;
}

/** A tick count as a person reads it, whole or to one decimal: "1 tick", "4.5 ticks". */
function ticks(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return `${rounded} ${rounded === 1 ? 'tick' : 'ticks'}`;
}

/** Every refusal of the class, by rejection code: most refused first, ties by code. */
export function refusalsByCode(report: ClassReportDocument): { code: string; count: number }[] {
  return report.refusalCodes
    .map((code) => ({ code, count: report.rows.reduce((n, row) => n + (row.refusals[code] ?? 0), 0) }))
    .filter((r) => r.count > 0)
    .sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** Each student's median time to answer, in ticks (null: they answered nothing), in the report's order. */
export function medianAnswers(report: ClassReportDocument): { nickname: string; median: number | null; answers: number }[] {
  return report.rows.map((row) => ({ nickname: row.nickname, median: row.medianAnswerTicks, answers: row.answers }));
}

/** Each group's rounds: how many were decided, how many stuck, how many neither (ended before either). */
export function groupOutcomes(report: ClassReportDocument): { group: number; decided: number; stuck: number; neither: number }[] {
  const groups = new Map<number, { group: number; decided: number; stuck: number; neither: number }>();
  for (const round of report.groups) {
    const g = groups.get(round.group) ?? { group: round.group, decided: 0, stuck: 0, neither: 0 };
    if (round.decided) g.decided += 1;
    else if (round.stuck) g.stuck += 1;
    else g.neither += 1;
    groups.set(round.group, g);
  }
  return [...groups.values()].sort((a, b) => a.group - b.group);
}

interface Segment {
  value: number;
  colour: string;
  /** What the segment counts, for its tooltip: "3 decided". */
  name: string;
}

interface Row {
  label: string;
  segments: Segment[];
  /** Written after the bar. */
  value: string;
}

/** The frame of a chart: an accessible SVG with its title (also written at the top), and `body` inside. */
function svg(id: string, title: string, height: number, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${id}" role="img" aria-labelledby="chart-${id}-title" ` +
    `viewBox="0 0 ${WIDTH} ${height}" width="100%" font-size="12" font-family="system-ui, sans-serif">` +
    `<title id="chart-${id}-title">${escapeMarkup(title)}</title>` +
    `<text x="0" y="14" font-size="13" font-weight="600" fill="#a3acbb" aria-hidden="true">${escapeMarkup(title)}</text>${body}</svg>`
  );
}

/** Horizontal bars, one row each, scaled to the largest row; a row's segments are stacked. */
function bars(id: string, title: string, rows: readonly Row[], empty: string, legend: readonly Segment[] = []): string {
  if (rows.length === 0) return svg(id, title, ROW + TOP, `<text x="0" y="${TOP + 13}" fill="#a3acbb">${escapeMarkup(empty)}</text>`);
  const top = TOP + (legend.length > 0 ? ROW : 0);
  // The legend sits between the heading and the rows.
  const largest = Math.max(1, ...rows.map((r) => r.segments.reduce((n, s) => n + s.value, 0)));
  let body = '';
  let x = 0;
  for (const item of legend) {
    body += `<rect x="${x}" y="${TOP + 2}" width="10" height="10" fill="${item.colour}"/>`;
    body += `<text x="${x + 14}" y="${TOP + 11}" fill="#e8ecf3">${escapeMarkup(item.name)}</text>`;
    x += 14 + 8 * item.name.length + 16;
  }
  rows.forEach((row, i) => {
    const y = top + i * ROW;
    body += `<g data-row="${i}"><title>${escapeMarkup(`${row.label}: ${row.value}`)}</title>`;
    body += `<text x="${LABEL_WIDTH - 6}" y="${y + 12}" text-anchor="end" fill="#e8ecf3">${escapeMarkup(shortLabel(row.label))}</text>`;
    let at = LABEL_WIDTH;
    for (const segment of row.segments) {
      if (segment.value <= 0) continue;
      const width = Math.round(((segment.value / largest) * BAR_AREA) * 10) / 10;
      body += `<rect x="${at}" y="${y + 1}" width="${width}" height="${BAR}" fill="${segment.colour}" data-value="${segment.value}"><title>${escapeMarkup(`${row.label}: ${segment.name}`)}</title></rect>`;
      at += width;
    }
    body += `<text x="${at + 4}" y="${y + 12}" fill="#a3acbb">${escapeMarkup(row.value)}</text></g>`;
  });
  return svg(id, title, top + rows.length * ROW, body);
}

/** Refusals by rule: one bar per rejection code, over the whole class. */
export function refusalsChart(report: ClassReportDocument): string {
  const rows = refusalsByCode(report).map(({ code, count }) => ({
    label: code,
    value: String(count),
    segments: [{ value: count, colour: CHART_COLOURS.refusal, name: `${count} refused` }],
  }));
  return bars('refusals', 'Refused moves by rule', rows, 'No move was refused.');
}

/** Time to answer: one bar per student, their median in ticks. */
export function answerTimesChart(report: ClassReportDocument): string {
  const rows = medianAnswers(report).map(({ nickname, median, answers }) => ({
    label: nickname,
    value: median === null ? 'no answers' : ticks(median),
    segments: median === null ? [] : [{ value: median, colour: CHART_COLOURS.answer, name: `median ${ticks(median)} over ${answers} ${answers === 1 ? 'answer' : 'answers'}` }],
  }));
  return bars('answers', 'Median time to answer, per student (ticks)', rows, 'No student has played a round yet.');
}

/** Decided against stuck: one stacked bar per group, of its rounds. */
export function groupOutcomesChart(report: ClassReportDocument): string {
  const legend = [
    { value: 0, colour: CHART_COLOURS.decided, name: 'decided' },
    { value: 0, colour: CHART_COLOURS.stuck, name: 'stuck' },
    { value: 0, colour: CHART_COLOURS.neither, name: 'neither' },
  ];
  const rows = groupOutcomes(report).map((g) => ({
    label: `Group ${g.group}`,
    value: `${g.decided} of ${g.decided + g.stuck + g.neither}`,
    segments: [
      { value: g.decided, colour: CHART_COLOURS.decided, name: `${g.decided} decided` },
      { value: g.stuck, colour: CHART_COLOURS.stuck, name: `${g.stuck} stuck` },
      { value: g.neither, colour: CHART_COLOURS.neither, name: `${g.neither} ended undecided, not stuck` },
    ],
  }));
  return bars('groups', 'Rounds decided and stuck, per group', rows, 'No round has ended yet.', legend);
}

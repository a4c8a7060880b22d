/**
 * A round's results in words: a group's scoreboard as the projector's table, and a student's own
 * line of the class report as their "your results" panel. Pure (no DOM). The table rewards
 * understanding, as the scoreboard's order does: whose move was the commit point, the moves made by
 * the rules and those refused (by which rule), and who learned the outcome and when. How fast anyone
 * answered is the student's own business: it is in their panel, not on the wall.
 */
import { nodeName } from '../../shared/engine/names';
import type { ProtocolName } from '../../shared/engine/types';
import type { ClassReportRow } from '../../shared/results/report';
import type { PlayerScore, RoundScoreboard } from '../../shared/results/scoreboard';
import { allProtocols, protocolFor } from '../../shared/protocols';
import { outcomeSentence, protocolTitle } from './describe';

/** A rule's title ("never answer a ballot below your promise"), or the refusal code in words ("not in inbox"). */
export function refusalWords(code: string, protocol: ProtocolName | null): string {
  const own = protocol ? protocolFor(protocol).ruleTitles[code] : undefined;
  const any = own ?? allProtocols().map((p) => p.ruleTitles[code]).find((t) => t !== undefined);
  return any ?? code.replace(/-/g, ' ');
}

/** "none", or "3: 2 × never answer a ballot below your promise, 1 × not in inbox", most first. */
export function countsText(counts: Record<string, number>, protocol: ProtocolName | null): string {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  if (entries.length === 0) return 'none';
  entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  return `${total}: ${entries.map(([code, n]) => `${n} × ${refusalWords(code, protocol)}`).join(', ')}`;
}

export interface ScoreTableRow {
  player: string;
  bot: boolean;
  /** "B", or "B, D" for a player who held two seats. */
  seats: string;
  commitPoint: boolean;
  movesByRules: number;
  moves: number;
  refused: string;
  /** Rules broken in a sandbox round; null outside one. */
  rulesBroken: string | null;
  /** "tick 34", or "no" when their node never learned it. */
  learned: string;
}

export interface ScoreTable {
  group: number;
  /** "Group 2: Paxos, 5 nodes" */
  caption: string;
  /** The outcome in the protocol's words, and when it was sealed. */
  outcome: string;
  /** One sentence per commit point: "Commit point at tick 31: X, by Ada's move at B." */
  commitPoints: string[];
  /** Whether the round had rule-breaking moves (a sandbox round): the table then has a column for them. */
  sandbox: boolean;
  /** Best first (the scoreboard's order). */
  rows: ScoreTableRow[];
}

function learnedText(row: PlayerScore): string {
  return row.learned === null ? 'no' : `tick ${row.learned.tick}`;
}

/** A group's scoreboard as the projector's table. */
export function scoreboardTable(board: RoundScoreboard): ScoreTable {
  const sandbox = board.rows.some((r) => Object.keys(r.rulesBroken).length > 0);
  const sealed = board.decisionTick !== null ? ` Sealed at tick ${board.decisionTick}.` : '';
  return {
    group: board.group,
    caption: `Group ${board.group}: ${protocolTitle(board.protocol)}, ${board.nodes} nodes`,
    outcome: `${outcomeSentence(board.protocol, board.outcome, board.stuck)}${sealed}`,
    commitPoints: board.commitPoints.map(
      (cp) => `Commit point at tick ${cp.tick}: ${cp.decree}, by ${cp.player === null ? 'no player’s move' : `${cp.player}’s move`} at ${nodeName(cp.node)}.`,
    ),
    sandbox,
    rows: board.rows.map((r) => ({
      player: r.name,
      bot: r.bot,
      seats: r.nodes.map(nodeName).join(', '),
      commitPoint: r.commitPoint,
      movesByRules: r.movesByRules,
      moves: r.moves,
      refused: countsText(r.refusals, board.protocol),
      rulesBroken: sandbox ? countsText(r.rulesBroken, board.protocol) : null,
      learned: learnedText(r),
    })),
  };
}

/** One line of a student's "your results" panel. */
export interface ResultItem {
  label: string;
  value: string;
}

function ticks(n: number): string {
  const rounded = Math.round(n * 10) / 10;
  return `${rounded} tick${rounded === 1 ? '' : 's'}`;
}

/** A student's own line of the class report, in words, for their "your results" panel. */
export function reportLineItems(line: ClassReportRow, protocol: ProtocolName | null): ResultItem[] {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const items: ResultItem[] = [
    { label: 'Rounds played', value: `${line.roundsPlayed}${line.groups.length > 0 ? ` (group${line.groups.length === 1 ? '' : 's'} ${line.groups.join(', ')})` : ''}` },
    { label: 'Your moves', value: `${line.moves}, ${line.movesByRules} by the rules` },
    { label: 'Refused moves', value: countsText(line.refusals, protocol) },
  ];
  if (Object.keys(line.rulesBroken).length > 0) items.push({ label: 'Rules broken (sandbox)', value: countsText(line.rulesBroken, protocol) });
  items.push(
    { label: 'Your move was the commit point', value: line.commitPoints === 0 ? 'not yet' : `in ${plural(line.commitPoints, 'round')}` },
    { label: 'You learned the outcome', value: `in ${line.learned} of ${plural(line.roundsPlayed, 'round')}` },
    {
      label: 'Time to answer',
      value:
        line.medianAnswerTicks === null || line.meanAnswerTicks === null
          ? 'no message answered yet'
          : `median ${ticks(line.medianAnswerTicks)}, mean ${ticks(line.meanAnswerTicks)}, over ${plural(line.answers, 'answer')}`,
    },
  );
  if (line.unanswered > 0) items.push({ label: 'Left unanswered at the end', value: plural(line.unanswered, 'message') });
  return items;
}

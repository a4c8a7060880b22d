/**
 * The class scoreboard, one row per round, derived from what the instructor's client receives: the
 * god view after every step, its events, the roster's rejection counts, and the reveal.
 */
import { commitPointsBySlot, decisionTick } from '../../shared/engine/reveal';
import type { EngineEvent, ProtocolName } from '../../shared/engine/types';
import type { GodView } from '../../shared/engine/view';
import { nodeTitle } from './describe';
import type { RevealMessage, RosterMessage, RoundInfo } from '../../shared/wire/messages';

export interface ScoreRow {
  round: number;
  roundId: string | null;
  protocol: ProtocolName;
  nodes: number;
  decided: boolean;
  outcome: string | null;
  /**
   * Ticks to decision: the tick of the commit point (in 2PC, of the coordinator's logged decision),
   * when the round's fate was sealed, known or not. Null while nothing is decided.
   */
  decisionTick: number | null;
  /** Each slot decided and the tick of its commit point, in slot order: one for a single decree, one per entry for a log. */
  slotTicks: { slot: number; tick: number }[];
  messagesSent: number;
  /** Refused moves per student during this round. */
  rejections: Record<string, number>;
  /** Rules broken (sandbox rounds) per node, "B (Ada)" when a student held it. */
  rulesBroken: Record<string, number>;
  finished: boolean;
  /** The group whose round it is, in a class of groups; null in a solo room. */
  group: number | null;
}

/** What a row keeps while its round is watched: the messages seen and the refusal counts it started from. */
interface Tally {
  row: ScoreRow;
  seen: Set<number>;
  baseline: Map<string, number>;
}

export class Scoreboard {
  rows: ScoreRow[] = [];
  private current: ScoreRow | null = null;
  private seen = new Set<number>();
  private baseline = new Map<string, number>();
  private latest: RosterMessage | null = null;
  private key: string | null = null;
  /** Every round watched, by key: an instructor who looks at another group and back finds the same row again. */
  private tallies = new Map<string, Tally>();

  clear(): void {
    this.rows = [];
    this.current = null;
    this.seen = new Set();
    this.baseline = new Map();
    this.key = null;
    this.tallies = new Map();
  }

  roster(roster: RosterMessage): void {
    this.latest = roster;
    for (const s of roster.students) if (!this.baseline.has(s.nickname)) this.baseline.set(s.nickname, s.rejections);
    if (this.current && !this.current.finished) this.current.rejections = this.rejectionsSinceStart();
  }

  private rejectionsSinceStart(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.latest?.students ?? []) out[s.nickname] = s.rejections - (this.baseline.get(s.nickname) ?? 0);
    return out;
  }

  /** A god view arrived: start a row when a round starts, and keep its numbers current. */
  observe(info: RoundInfo, god: GodView, events: readonly EngineEvent[], group: number | null = null): void {
    if (info.phase === 'setup') return;
    const key = info.id ?? `seed-${god.config.seed}`;
    if (key !== this.key && this.tallies.has(key)) {
      // A round watched before (another group was shown meanwhile): its row goes on.
      const tally = this.tallies.get(key)!;
      this.key = key;
      this.current = tally.row;
      this.seen = tally.seen;
      this.baseline = tally.baseline;
    } else if (key !== this.key) {
      this.key = key;
      this.seen = new Set();
      this.baseline = new Map((this.latest?.students ?? []).map((s) => [s.nickname, s.rejections]));
      this.current = {
        round: this.rows.filter((r) => r.group === group).length + 1,
        group,
        roundId: info.id,
        protocol: god.config.protocol,
        nodes: god.config.nodes,
        decided: false,
        outcome: null,
        decisionTick: null,
        slotTicks: [],
        messagesSent: 0,
        rejections: {},
        rulesBroken: {},
        finished: false,
      };
      this.rows.push(this.current);
      this.tallies.set(key, { row: this.current, seen: this.seen, baseline: this.baseline });
    }
    const row = this.current!;
    if (row.finished) return;
    for (const m of god.inFlight) this.seen.add(m.id);
    for (const e of events) if (e.message && e.type !== 'duplicated') this.seen.add(e.message.id);
    row.messagesSent = this.seen.size;
    row.decided = god.status.decided;
    row.outcome = god.status.outcome;
    row.decisionTick = decisionTick(god.config, god.global);
    row.slotTicks = commitPointsBySlot(god.global.chosen).map((cp) => ({ slot: cp.slot, tick: cp.tick }));
    row.rejections = this.rejectionsSinceStart();
    row.rulesBroken = this.rulesBrokenIn(god);
  }

  private rulesBrokenIn(god: GodView): Record<string, number> {
    const nicknames = new Map((this.latest?.seats ?? []).map((s) => [s.node, s.nickname]));
    const out: Record<string, number> = {};
    for (const v of god.global.violations) {
      if (v.node === undefined) continue;
      const who = nodeTitle(v.node, nicknames.get(v.node));
      out[who] = (out[who] ?? 0) + 1;
    }
    return out;
  }

  finish(info: RoundInfo, reveal: RevealMessage): void {
    const row = this.current;
    if (!row || row.finished) return;
    this.observe(info, reveal.god, []);
    row.finished = true;
    row.roundId = reveal.roundId ?? row.roundId;
    row.outcome = reveal.outcome;
    row.decided = reveal.god.status.decided;
  }
}

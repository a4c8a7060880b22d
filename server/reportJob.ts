/**
 * What the report worker thread does with one stored round: reads it as the store keeps it and
 * scores it (`scoreRound` re-runs its whole log). No I/O here.
 */
import { inflateSync } from 'node:zlib';
import { roundDocument, type Command, type RoundConfig, type RoundMeta } from '../shared';
import { playedRoundOf, scoreRound, type RoundScoreboard } from '../shared/results';
import type { RoundSeating, StoredPlayer, StoredRoundSource } from './store';

export type ScoredRound = { ok: true; scoreboard: RoundScoreboard } | { ok: false; error: string };

/** A round's scoreboard. A round stored before groups were kept was its class's only group: group 1. */
export function scoreStoredRound(source: StoredRoundSource): ScoredRound {
  try {
    const config = JSON.parse(source.config) as RoundConfig;
    const own = JSON.parse(source.commands) as Command[];
    const log = source.prefix ? (JSON.parse(inflateSync(source.prefix).toString('utf8')) as Command[]).concat(own) : own;
    const meta: RoundMeta = { players: JSON.parse(source.players) as StoredPlayer[], rejections: source.rejections };
    if (source.group !== null) meta.group = source.group;
    if (source.seating !== null) Object.assign(meta, JSON.parse(source.seating) as RoundSeating);
    return { ok: true, scoreboard: scoreRound(playedRoundOf(roundDocument(config, log, meta), source.id, 1)).scoreboard };
  } catch (error) {
    return { ok: false, error: String((error as Error)?.stack ?? error) };
  }
}

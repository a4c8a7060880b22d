/**
 * Where finished rounds come from: the server (an instructor's class rounds, any round by id) and
 * this browser (the solo rounds it played, kept in localStorage so they outlive the server's copy).
 */
import { parseRound, type RoundDocument } from '../../../shared/engine/round';
import type { ProtocolName } from '../../../shared/engine/types';
import { lessonById } from '../../../shared/lessons';

export interface RoundSummary {
  id: string;
  protocol: ProtocolName;
  nodes: number;
  outcome: string | null;
  /** ISO time the round ended (or started, for one still running). */
  when: string | null;
  players: string[];
  interrupted: boolean;
  classCode: string | null;
  /** The group's number in its class, or null (a solo round, or one stored before groups were kept). */
  group: number | null;
  /** The id of the lesson the round played, or null. */
  lesson: string | null;
  source: 'class' | 'solo' | 'file';
}

/** How the library names a round's lesson: "Lesson 4: Two-phase commit", or its id when this Quorum does not have it. */
export function lessonLabel(id: string): string {
  const lesson = lessonById(id);
  return lesson ? `Lesson ${lesson.number}: ${lesson.title}` : `Lesson "${id}"`;
}

/** A round as the library lists it: "3/2/2026, 10:04 · group 2 · paxos · 5 nodes · outcome X · Ada, Bo", a lesson's title first. */
export function describeSummary(s: RoundSummary): string {
  const lesson = s.lesson !== null ? `${lessonLabel(s.lesson)} · ` : '';
  const when = s.when ? new Date(s.when).toLocaleString() : 'unknown date';
  const group = s.group !== null ? ` · group ${s.group}` : '';
  const outcome = s.outcome ? `outcome ${s.outcome}` : s.interrupted ? 'interrupted' : 'no decision';
  const players = s.players.length > 0 ? ` · ${s.players.join(', ')}` : '';
  return `${lesson}${when}${group} · ${s.protocol} · ${s.nodes} nodes · ${outcome}${players}`;
}

/** A row of `GET /api/rounds?class=CODE`, as far as the library reads it. */
export interface ClassRoundRow {
  id: string;
  state: string;
  protocol: RoundSummary['protocol'];
  nodes: number;
  outcome: string | null;
  startedAt: string;
  endedAt: string | null;
  players?: string[];
  group?: number | null;
  lesson?: string | null;
}

/** A row of `GET /api/rounds?class=CODE` as the library lists it. */
export function rowSummary(r: ClassRoundRow, code: string): RoundSummary {
  return {
    id: r.id,
    protocol: r.protocol,
    nodes: r.nodes,
    outcome: r.outcome,
    when: r.endedAt ?? r.startedAt,
    players: r.players ?? [],
    interrupted: r.state === 'interrupted',
    classCode: code,
    group: r.group ?? null,
    lesson: r.lesson ?? null,
    source: 'class',
  };
}

const SOLO_KEY = 'quorum.soloRounds';
const SOLO_LIMIT = 20;

interface StoredSolo {
  summary: RoundSummary;
  doc: RoundDocument;
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export function summaryOf(id: string, doc: RoundDocument, source: RoundSummary['source']): RoundSummary {
  return {
    id,
    protocol: doc.config.protocol,
    nodes: doc.config.nodes,
    outcome: doc.meta.outcome ?? null,
    when: doc.meta.endedAt ?? doc.meta.startedAt ?? null,
    players: (doc.meta.players ?? []).map((p) => p.nickname),
    interrupted: doc.meta.interrupted ?? false,
    classCode: doc.meta.classCode ?? null,
    group: doc.meta.group ?? null,
    lesson: doc.meta.lesson ?? null,
    source,
  };
}

/** The solo rounds this browser kept, newest first. Corrupt entries are skipped, not fatal. */
export function soloRounds(): StoredSolo[] {
  const raw = storage()?.getItem(SOLO_KEY);
  if (!raw) return [];
  try {
    const list = JSON.parse(raw) as unknown;
    if (!Array.isArray(list)) return [];
    const kept: StoredSolo[] = [];
    for (const item of list) {
      const parsed = parseRound((item as { doc?: unknown })?.doc);
      const id = (item as { summary?: { id?: unknown } })?.summary?.id;
      if (parsed.ok && typeof id === 'string') kept.push({ summary: summaryOf(id, parsed.round, 'solo'), doc: parsed.round });
    }
    return kept;
  } catch {
    return [];
  }
}

/** Keeps a finished solo round in this browser; the oldest go first when the list or the quota is full. */
export function keepSoloRound(id: string, doc: RoundDocument): void {
  const store = storage();
  if (!store) return;
  const list = [{ summary: summaryOf(id, doc, 'solo'), doc }, ...soloRounds().filter((r) => r.summary.id !== id)].slice(0, SOLO_LIMIT);
  for (let n = list.length; n > 0; n--) {
    try {
      store.setItem(SOLO_KEY, JSON.stringify(list.slice(0, n)));
      return;
    } catch {
      // Quota exceeded: drop the oldest and try again.
    }
  }
}

/** Fetches a finished solo round from the server and keeps it in this browser. */
export async function keepSoloRoundFrom(base: string, id: string): Promise<void> {
  try {
    keepSoloRound(id, await fetchRound(base, id));
  } catch {
    // The server may not keep it (or be gone): the round is simply not listed.
  }
}

async function getJson(url: string, headers: Record<string, string> = {}): Promise<unknown> {
  const response = await fetch(url, { headers });
  const body = (await response.json().catch(() => null)) as { error?: string; message?: string } | null;
  if (!response.ok) throw new Error(body?.message ?? body?.error ?? `The server answered ${response.status}.`);
  return body;
}

/** A round stored on the server, checked like an imported file. */
export async function fetchRound(base: string, id: string): Promise<RoundDocument> {
  const parsed = parseRound(await getJson(`${base}/api/rounds/${encodeURIComponent(id)}`));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.round;
}

/**
 * Words for what the views contain: node state lines, button labels for legal actions, the reveal's
 * sentences. Presentation only: every fact comes from a view, every move from `view.legal`.
 */
import { listNames, nodeName, tallyWords } from '../../shared/engine/names';
import type { Action, NodeId, ProtocolName } from '../../shared/engine/types';

// The reveal's sentences are the engine's: every number in them comes from the round's bookkeeping.
export { commitPointSentence, doubtSentences, noCommitPointSentence, outcomeSentence, violationSentence } from '../../shared/engine/reveal';

interface Ballot {
  n: number;
  node: number;
}

const ballot = (b: Ballot | null | undefined): string => (b ? `${b.n}.${nodeName(b.node)}` : '—');

/** What a node's state looks like to someone allowed to see it. */
export interface NodeFacts {
  role: string;
  crashed: boolean;
  durable: object;
  volatile: object;
  learned: string | null;
}

/** Tally lines such as "X: A, C (2 of 5 votes; 3 make a majority)", counted as the event log counts them. */
function tallyLines(tally: Record<string, number[]>, nodes: number): string[] {
  return Object.entries(tally).map(([decree, voters]) => `${decree}: ${listNames(voters)} (${tallyWords(voters.length, nodes, 'votes')})`);
}

/** A node's state in a few short lines: durable first (it survives a crash), then volatile. */
export function nodeStateLines(protocol: ProtocolName, facts: NodeFacts, nodes: number): string[] {
  const d = facts.durable as Record<string, unknown>;
  const v = facts.volatile as Record<string, unknown>;
  const lines: string[] = [];
  if (facts.crashed) lines.push('CRASHED: only its disk remains');
  switch (protocol) {
    case 'paxos': {
      lines.push(d.promised ? `promised ${ballot(d.promised as Ballot)}` : 'promised nothing');
      const acc = d.accepted as { ballot: Ballot; value: string } | null;
      lines.push(acc ? `accepted ${acc.value} @ ${ballot(acc.ballot)}` : 'accepted nothing');
      if (facts.crashed) break;
      const proposal = v.proposal as { ballot: Ballot; phase: string; promises: { from: number }[]; value: string | null } | null;
      if (proposal) {
        const from = proposal.promises.map((p) => p.from);
        lines.push(
          proposal.phase === 'preparing'
            ? `ballot ${ballot(proposal.ballot)}: promises${from.length > 0 ? ` from ${listNames(from)}` : ''} (${tallyWords(from.length, nodes, 'promises')})`
            : `ballot ${ballot(proposal.ballot)}: sent ACCEPT ${proposal.value ?? ''}`,
        );
      }
      const acceptances = (v.acceptances as { ballot: Ballot; value: string; from: number[] }[] | undefined) ?? [];
      for (const a of acceptances) lines.push(`heard ${a.value} @ ${ballot(a.ballot)} accepted by ${listNames(a.from)} (${tallyWords(a.from.length, nodes, 'acceptances')})`);
      const requests = (v.requests as string[] | undefined) ?? [];
      if (requests.length > 0) lines.push(`asked for: ${requests.join(', ')}`);
      break;
    }
    case 'majority': {
      lines.push(d.vote ? `voted ${String(d.vote)} (locked)` : 'has not voted');
      if (facts.crashed) break;
      const tally = (v.tally as Record<string, number[]> | undefined) ?? {};
      const tl = tallyLines(tally, nodes);
      lines.push(...(tl.length > 0 ? tl.map((t) => `tally ${t}`) : ['tally: no votes heard']));
      const candidates = (v.candidates as string[] | undefined) ?? [];
      if (candidates.length > 0) lines.push(`candidates: ${candidates.join(', ')}`);
      break;
    }
    case '2pc': {
      lines.push(twoPhaseState(facts));
      if (facts.crashed) break;
      if (d.role === 'coordinator') {
        const votes = (v.votes as Record<string, string> | undefined) ?? {};
        const heard = Object.entries(votes).map(([id, vote]) => `${nodeName(Number(id))} ${vote.toUpperCase()}`);
        // 2PC counts no majority: COMMIT needs a YES from every participant.
        const participants = nodes - 1;
        const count = `${heard.length} of ${participants} participants voted; COMMIT needs a YES from all ${participants}`;
        lines.push(heard.length > 0 ? `votes: ${heard.join(', ')} (${count})` : `votes: none yet (${count})`);
        const requests = (v.requests as string[] | undefined) ?? [];
        if (requests.length > 0 && d.decree === null) lines.push(`asked for: ${requests.join(', ')}`);
      }
      break;
    }
  }
  // In 2PC nothing is chosen: the state line already says committed or aborted.
  if (facts.learned !== null && protocol !== '2pc') lines.push(`learned: ${facts.learned} is chosen`);
  return lines;
}

/** Two or three short lines for the canvas, under a node; the DOM panels carry the full state. */
export function nodeSummaryLines(protocol: ProtocolName, facts: NodeFacts): string[] {
  const d = facts.durable as Record<string, unknown>;
  const v = facts.volatile as Record<string, unknown>;
  const lines: string[] = [];
  switch (protocol) {
    case 'paxos': {
      const acc = d.accepted as { ballot: Ballot; value: string } | null;
      lines.push(d.promised ? `promised ${ballot(d.promised as Ballot)}` : 'promised nothing');
      if (acc) lines.push(`accepted ${acc.value}@${ballot(acc.ballot)}`);
      break;
    }
    case 'majority': {
      lines.push(d.vote ? `voted ${String(d.vote)}` : 'not voted');
      const tally = Object.entries((v.tally as Record<string, number[]> | undefined) ?? {});
      if (!facts.crashed && tally.length > 0) lines.push(`tally ${tally.map(([k, voters]) => `${k}:${voters.length}`).join(' ')}`);
      break;
    }
    case '2pc':
      lines.push(twoPhaseState(facts));
      break;
  }
  if (facts.learned !== null && protocol !== '2pc') lines.push(`learned ${facts.learned}`);
  if (facts.crashed) lines.unshift('crashed');
  return lines;
}

/** The 2PC state a student must tell apart: working, voted YES and in doubt, committed, aborted. */
export function twoPhaseState(facts: NodeFacts): string {
  const d = facts.durable as Record<string, unknown>;
  if (d.role === 'coordinator') {
    if (d.decision) return `logged ${String(d.decision).toUpperCase()} for ${String(d.decree)}`;
    if (d.decree) return `collecting votes on ${String(d.decree)}`;
    return 'working: no transaction yet';
  }
  if (d.outcome === 'commit') return 'committed';
  if (d.outcome === 'abort') return 'aborted';
  if (d.vote === 'yes') return 'voted YES: in doubt';
  if (d.vote === 'no') return 'voted NO';
  return 'working: has not voted';
}

/** The text on the button for a legal action. */
export function actionLabel(action: Action): string {
  const a = action as Record<string, unknown>;
  switch (action.kind) {
    case 'promise':
      return 'Promise';
    case 'refuse':
      return 'Refuse';
    case 'accept':
      return 'Accept';
    case 'ignore':
      return 'Ignore';
    case 'prepare':
      return typeof a.ballot === 'number' ? `Start ballot ${a.ballot} (send PREPARE)` : `Begin ${String(a.decree)} (send PREPARE)`;
    case 'propose':
      return `Send ACCEPT for ${String(a.value)}`;
    case 'putForward':
      return `Put ${String(a.decree)} forward`;
    case 'vote':
      return typeof a.vote === 'string' ? `Vote ${a.vote.toUpperCase()}` : `Vote for ${String(a.decree)}`;
    case 'decide':
      return `Decide ${String(a.outcome).toUpperCase()}`;
    case 'resend':
      return 'Send the decision again';
    case 'abort':
      return 'Give up and abort';
    case 'askPeers':
      return 'Ask the others what happened';
    default:
      return action.kind;
  }
}

/** Legal actions that answer inbox message `msg`, and those that stand alone. */
export function splitLegal(legal: readonly Action[]): { byMessage: Map<number, Action[]>; general: Action[] } {
  const byMessage = new Map<number, Action[]>();
  const general: Action[] = [];
  for (const action of legal) {
    const msg = (action as { msg?: unknown }).msg;
    if (typeof msg === 'number') byMessage.set(msg, [...(byMessage.get(msg) ?? []), action]);
    else general.push(action);
  }
  return { byMessage, general };
}

/** "A (Ada)" when a student holds the node, "A" otherwise. */
export function nodeTitle(id: NodeId, nickname: string | null | undefined): string {
  return nickname ? `${nodeName(id)} (${nickname})` : nodeName(id);
}

export const PROTOCOL_TITLES: Record<ProtocolName, string> = {
  paxos: 'Paxos',
  majority: 'Majority vote',
  '2pc': 'Two-phase commit',
};

/** One line that tells a new player what their node is for in this protocol. */
export function roleHint(protocol: ProtocolName, role: string, gossip = false): string {
  switch (protocol) {
    case 'paxos':
      return 'Answer PREPARE with a promise and ACCEPT with an acceptance unless you promised a higher ballot. A value is chosen when a majority accepts one ballot.';
    case 'majority':
      return gossip
        ? 'Vote once for a candidate; your vote is locked. A decree is chosen when a majority votes for it: you learn it from your own tally, or when a node whose tally showed it announces it.'
        : 'Vote once for a candidate; your vote is locked. A decree is chosen when a majority votes for it, but nobody announces it: you learn it only from your own tally.';
    case '2pc':
      return role === 'coordinator'
        ? 'Send PREPARE, collect every vote, then log COMMIT (only with every YES) or ABORT.'
        : 'Vote YES or NO on the PREPARE. After YES you are in doubt until the coordinator tells you the outcome.';
  }
}

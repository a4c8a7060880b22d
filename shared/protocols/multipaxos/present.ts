/** How Multi-Paxos is shown: a node's promise, log and leader in words, its log as a strip of slots, its messages' looks, and the reveal's words. */
import { listNames, nodeName, tallyWords } from '../../engine/names';
import type { GroupFacts, LogCell, Presentation } from '../../engine/protocol';
import type { CommitPoint } from '../../engine/types';
import { chosenDecreeReveal, playersWords } from '../common';
import { NOOP, appliedLog, ballotText, slotWords, valueWords, type MpDurable, type MpGlobal, type MpPayload, type MpVolatile } from './state';

/** A log as a line of text: "X, Y, no-op". */
function logText(values: readonly string[]): string {
  return values.map((v) => (v === NOOP ? 'no-op' : v)).join(', ');
}

/** Whether a node applied every slot of a decided log (given as the outcome names it), in order: what it takes to know the outcome. */
export function appliedWhole(d: MpDurable, outcome: string): boolean {
  const log = appliedLog(d).join(', ');
  return log === outcome || log.startsWith(`${outcome}, `);
}

/** The log chosen so far, slot by slot from slot 1 up to the first slot with nothing chosen, no-ops at its end left off. */
function decidedLog(chosen: readonly CommitPoint[]): string[] {
  const bySlot: (string | undefined)[] = [];
  for (const c of chosen) if (bySlot[c.slot] === undefined) bySlot[c.slot] = c.decree;
  const log: string[] = [];
  for (const value of bySlot) {
    if (value === undefined) break;
    log.push(value);
  }
  while (log.length > 0 && log[log.length - 1] === NOOP) log.pop();
  return log;
}

/** What a group's round came to, node by node: those that did not apply the whole decided log. */
function unappliedSentences(facts: GroupFacts<MpDurable, MpVolatile, MpGlobal>): string[] {
  if (facts.outcome === null) return [];
  const outcome = facts.outcome;
  const behind = facts.nodes.filter((n) => !appliedWhole(n.durable, outcome)).map((n) => n.id);
  if (behind.length === 0) return [];
  return [`In group ${facts.group}, the log ${outcome} was decided, but ${playersWords(behind, facts.students)} never applied all of it.`];
}

/** For the groups compared: how many times a node ran for leader, and how many leaders won. */
function electionSentences(facts: GroupFacts<MpDurable, MpVolatile, MpGlobal>): string[] {
  const runs = facts.moves.filter((m) => m.action.kind === 'elect');
  if (runs.length === 0) return [];
  const runners = new Set(runs.map((m) => m.node));
  return [`In group ${facts.group}, nodes ran for leader ${runs.length === 1 ? 'once' : `${runs.length} times`}${runners.size > 1 ? `, ${runners.size} different nodes` : ''}.`];
}

const decreeReveal = chosenDecreeReveal((who) => `${who} accepted it`);

export const multipaxosPresentation: Presentation<MpDurable, MpVolatile, MpPayload, MpGlobal> = {
  stateLines({ durable: d, volatile: v, crashed }, nodes) {
    const lines = [d.promised ? `promised ${ballotText(d.promised)}` : 'promised nothing'];
    const applied = appliedLog(d);
    lines.push(applied.length > 0 ? `applied: ${logText(applied)}` : 'applied: nothing yet');
    const known = d.chosen.flatMap((value, slot) => (slot >= d.applied && value != null ? [`${slotWords(slot)} ${valueWords(value)}`] : []));
    if (known.length > 0) lines.push(`known chosen, waiting for ${slotWords(d.applied)}: ${known.join(', ')}`);
    const pending = d.accepted.flatMap((a, slot) => (a && d.chosen[slot] == null ? [`${slotWords(slot)} ${valueWords(a.value)} @ ${ballotText(a.ballot)}`] : []));
    if (pending.length > 0) lines.push(`accepted, not known chosen: ${pending.join(', ')}`);
    if (crashed) return lines;
    const lead = v.lead;
    if (lead) {
      lines.push(`you lead under ballot ${ballotText(lead.ballot)}; next free slot: ${slotWords(lead.next)}`);
      if (lead.recover.length > 0) lines.push(`to propose again: ${lead.recover.map((r) => `${slotWords(r.slot)} ${valueWords(r.value)}`).join(', ')}`);
      for (const o of lead.open) lines.push(`${slotWords(o.slot)} ${valueWords(o.value)}: accepted by ${listNames(o.acks) || 'no one yet'} (${tallyWords(o.acks.length, nodes, 'acceptances')})`);
      if (lead.queue.length > 0) lines.push(`waiting for a slot: ${lead.queue.map(valueWords).join(', ')}`);
    } else if (v.campaign) {
      const from = v.campaign.promises.map((p) => p.from);
      lines.push(`running for leader with ballot ${ballotText(v.campaign.ballot)}: promises${from.length > 0 ? ` from ${listNames(from)}` : ''} (${tallyWords(from.length, nodes, 'promises')})`);
    } else {
      lines.push(v.leader !== null ? `leader: ${nodeName(v.leader)} (ballot ${ballotText(v.leaderBallot!)})` : 'leader: none known');
    }
    if (v.suspected.length > 0) lines.push(`given up on: ${listNames(v.suspected)}`);
    if (v.electionDue) lines.push('you suspect the leader and your turn has come: you may run for leader');
    if (v.requests.length > 0) lines.push(`client requests not yet chosen: ${v.requests.map(valueWords).join(', ')}`);
    return lines;
  },

  summaryLines({ durable: d, volatile: v, crashed }) {
    // The leader it follows and its log are drawn beside it (its strip and "leader: B"), so not repeated here.
    const lines: string[] = [];
    if (!crashed) {
      if (v.lead) lines.push(`leads under ${ballotText(v.lead.ballot)}`);
      else if (v.campaign) lines.push(`running ${ballotText(v.campaign.ballot)}`);
      else if (v.leader === null) lines.push('no leader');
    }
    lines.push(d.promised ? `promised ${ballotText(d.promised)}` : 'promised nothing');
    return lines;
  },

  // Every node is an acceptor; which one leads shows on its log strip.
  showRoles: false,

  roleHint: (_role, settings) =>
    'Answer PREPARE with a promise and ACCEPT with an acceptance unless you promised a higher ballot. A leader puts each request in the next free slot; a value is chosen in a slot when a majority accepts it under one ballot, and the leader tells everyone. ' +
    (settings.noTimeouts
      ? 'This round has no timeouts: no timer tells you the leader is gone, so you run for leader when you judge it so.'
      : 'Nobody leads at the start: your leader timer runs from the first tick, as it does whenever no heartbeat comes. ' +
        (settings.election === 'naive'
          ? 'When it fires, you may run for leader at once.'
          : 'When it fires, you wait your turn in the order of names, and run only if no node before you took over.')),

  timeoutUse: 'a Multi-Paxos follower goes without a heartbeat before it suspects the leader',

  messages: {
    request: { colour: 'grey', shape: 'circle', short: 'REQUEST' },
    prepare: { colour: 'blue', shape: 'circle', short: 'PREPARE' },
    promise: { colour: 'skyBlue', shape: 'square', short: 'PROMISE' },
    refuse: { colour: 'vermillion', shape: 'triangle', short: 'REFUSE' },
    accept: { colour: 'orange', shape: 'circle', short: 'ACCEPT' },
    accepted: { colour: 'yellow', shape: 'square', short: 'ACCEPTED' },
    chosen: { colour: 'green', shape: 'diamond', short: 'CHOSEN' },
    heartbeat: { colour: 'purple', shape: 'hexagon', short: 'HEARTBEAT' },
  },

  slotName: slotWords,

  log: {
    cells({ durable: d }) {
      const cells: LogCell[] = [];
      const length = Math.max(d.accepted.length, d.chosen.length);
      for (let slot = 0; slot < length; slot++) {
        const a = d.accepted[slot] ?? null;
        const chosen = d.chosen[slot] ?? null;
        if (chosen !== null) {
          const cell: LogCell = { slot, state: slot < d.applied ? 'applied' : 'chosen', value: chosen };
          if (a && a.value === chosen) {
            cell.mark = ballotText(a.ballot);
            cell.tone = a.ballot.n;
          }
          cells.push(cell);
        } else if (a) cells.push({ slot, state: 'accepted', value: a.value, mark: ballotText(a.ballot), tone: a.ballot.n });
        else cells.push({ slot, state: 'empty', value: null });
      }
      return cells;
    },
    leader: ({ volatile: v, crashed }) => (crashed ? null : v.leader),
  },

  reveal: {
    ...decreeReveal,
    outcome(outcome) {
      return outcome ? `Decided, in this order: ${outcome}.` : 'Not every request reached the log.';
    },
    // The round's fate is sealed when its last slot is chosen.
    decisionTick: (global) => (global.chosen.length > 0 ? Math.max(...global.chosen.map((c) => c.tick)) : null),
    // Knowing the outcome is having applied all of the log, not one slot of it: a node that crashed
    // after slot 1 knows only the start of it.
    learnedLine(nodes, global) {
      const log = decidedLog(global.chosen);
      if (log.length === 0) return 'No request was chosen, so no node applied one.';
      const outcome = log.join(', ');
      const applied = nodes.filter((n) => appliedWhole(n.durable, outcome)).map((n) => n.name);
      return applied.length > 0 ? `Nodes that applied the whole log, ${logText(log)}: ${applied.join(', ')}.` : `No node applied the whole log, ${logText(log)}.`;
    },
    pendingOutcome: (outcome) => `decided ${outcome}, not yet applied by all`,
    groupOutcome(facts) {
      return facts.outcome !== null ? `decided the log ${facts.outcome}` : 'did not get every request into the log';
    },
    groupDetails: (facts) => [...electionSentences(facts), ...unappliedSentences(facts)],
  },
};

/** How Paxos is shown: a node's promise, acceptance and ballot in words, its messages' looks, and the reveal's words. */
import { countWords, listNames, tallyWords } from '../../engine/names';
import type { GroupFacts, Presentation } from '../../engine/protocol';
import { chosenDecreeReveal, unlearnedSentences } from '../common';
import { ballotText, type PaxosDurable, type PaxosPayload, type PaxosVolatile } from './state';

/**
 * For the groups compared: how many ballots a group's nodes started (a ballot used again, which
 * breaks a rule, is not a new one), and by how many proposers, before its value was chosen.
 */
export function ballotSentences(facts: GroupFacts<PaxosDurable, PaxosVolatile>): string[] {
  const chosenAt = facts.commitPoints[0]?.step ?? null;
  const ballots = new Set<string>();
  const proposers = new Set<number>();
  for (const move of facts.moves) {
    if (move.action.kind !== 'prepare' || (chosenAt !== null && move.step > chosenAt)) continue;
    ballots.add(`${String(move.action.ballot)}.${move.node}`);
    proposers.add(move.node);
  }
  const by = proposers.size > 1 ? `, by ${countWords(proposers.size, 'proposer')},` : '';
  const started = `${countWords(ballots.size, 'ballot')} ${ballots.size === 1 ? 'was' : 'were'} started${by}`;
  const group = `In group ${facts.group}`;
  if (chosenAt !== null) return [`${group}, ${started} before ${facts.commitPoints[0]!.decree} was chosen.`];
  return ballots.size === 0 ? [`${group}, no ballot was started.`] : [`${group}, ${started} and no value was chosen.`];
}

const paxosReveal = chosenDecreeReveal((who) => `${who} accepted it`);

export const paxosPresentation: Presentation<PaxosDurable, PaxosVolatile, PaxosPayload> = {
  stateLines({ durable: d, volatile: v, crashed, learned: [learned = null] }, nodes) {
    const lines = [d.promised ? `promised ${ballotText(d.promised)}` : 'promised nothing'];
    lines.push(d.accepted ? `accepted ${d.accepted.value} @ ${ballotText(d.accepted.ballot)}` : 'accepted nothing');
    if (!crashed) {
      const proposal = v.proposal;
      if (proposal) {
        const from = proposal.promises.map((p) => p.from);
        lines.push(
          proposal.phase === 'preparing'
            ? `ballot ${ballotText(proposal.ballot)}: promises${from.length > 0 ? ` from ${listNames(from)}` : ''} (${tallyWords(from.length, nodes, 'promises')})`
            : `ballot ${ballotText(proposal.ballot)}: sent ACCEPT ${proposal.value ?? ''}`,
        );
      }
      for (const a of v.acceptances) lines.push(`heard ${a.value} @ ${ballotText(a.ballot)} accepted by ${listNames(a.from)} (${tallyWords(a.from.length, nodes, 'acceptances')})`);
      if (v.requests.length > 0) lines.push(`asked for: ${v.requests.join(', ')}`);
      if (v.ballotDue && learned === null) {
        lines.push(
          proposal ? `ballot ${ballotText(proposal.ballot)} ran out of time: may start a higher one` : v.requests.length > 0 ? 'may start a ballot for its request' : 'retry timer fired: may start a ballot to find out what was chosen',
        );
      }
    }
    if (learned !== null) lines.push(`learned: ${learned} is chosen`);
    return lines;
  },

  summaryLines({ durable: d, learned: [learned = null] }) {
    const lines = [d.promised ? `promised ${ballotText(d.promised)}` : 'promised nothing'];
    if (d.accepted) lines.push(`accepted ${d.accepted.value}@${ballotText(d.accepted.ballot)}`);
    if (learned !== null) lines.push(`learned ${learned}`);
    return lines;
  },

  timeoutUse: 'a Paxos proposer before it tries again',

  // Every node is proposer, acceptor and learner alike.
  showRoles: false,

  roleHint: (_role, settings) =>
    'Answer PREPARE with a promise and ACCEPT with an acceptance unless you promised a higher ballot. A value is chosen when a majority accepts one ballot.' +
    (settings.noTimeouts ? ' This round has no timeouts: no timer tells you to try again, and a ballot that waits waits until you start a higher one.' : ''),

  messages: {
    prepare: { colour: 'blue', shape: 'circle', short: 'PREPARE' },
    promise: { colour: 'skyBlue', shape: 'square', short: 'PROMISE' },
    refuse: { colour: 'vermillion', shape: 'triangle', short: 'REFUSE' },
    accept: { colour: 'orange', shape: 'circle', short: 'ACCEPT' },
    accepted: { colour: 'yellow', shape: 'square', short: 'ACCEPTED' },
    chosen: { colour: 'green', shape: 'diamond', short: 'CHOSEN' },
  },

  reveal: { ...paxosReveal, groupDetails: (facts) => [...ballotSentences(facts), ...unlearnedSentences(facts)] },
};

/** How majority vote is shown: a node's locked vote and its own tally, its messages' looks, and the reveal's words. */
import { listNames, tallyWords } from '../../engine/names';
import type { Presentation } from '../../engine/protocol';
import { chosenDecreeReveal } from '../common';
import type { MajorityDurable, MajorityPayload, MajorityVolatile } from './state';

export const majorityPresentation: Presentation<MajorityDurable, MajorityVolatile, MajorityPayload> = {
  stateLines({ durable: d, volatile: v, crashed, learned: [learned = null] }, nodes) {
    const lines = [d.vote ? `voted ${d.vote} (locked)` : 'has not voted'];
    if (!crashed) {
      // Tally lines such as "X: A, C (2 of 5 votes; 3 make a majority)", counted as the event log counts them.
      const tally = Object.entries(v.tally).map(([decree, voters]) => `tally ${decree}: ${listNames(voters)} (${tallyWords(voters.length, nodes, 'votes')})`);
      lines.push(...(tally.length > 0 ? tally : ['tally: no votes heard']));
      if (v.candidates.length > 0) lines.push(`candidates: ${v.candidates.join(', ')}`);
    }
    if (learned !== null) lines.push(`learned: ${learned} is chosen`);
    return lines;
  },

  summaryLines({ durable: d, volatile: v, crashed, learned: [learned = null] }) {
    const lines = [d.vote ? `voted ${d.vote}` : 'not voted'];
    const tally = Object.entries(v.tally);
    if (!crashed && tally.length > 0) lines.push(`tally ${tally.map(([k, voters]) => `${k}:${voters.length}`).join(' ')}`);
    if (learned !== null) lines.push(`learned ${learned}`);
    return lines;
  },

  // Every node is a voter.
  showRoles: false,

  roleHint: (_role, settings) =>
    settings.gossip
      ? 'Vote once for a candidate; your vote is locked. A decree is chosen when a majority votes for it: you learn it from your own tally, or when a node whose tally showed it announces it.'
      : 'Vote once for a candidate; your vote is locked. A decree is chosen when a majority votes for it, but nobody announces it: you learn it only from your own tally.',

  messages: {
    candidate: { colour: 'blue', shape: 'circle', short: 'CANDIDATE' },
    vote: { colour: 'orange', shape: 'square', short: 'VOTE' },
    victory: { colour: 'green', shape: 'diamond', short: 'VICTORY' },
  },

  reveal: chosenDecreeReveal((who) => `${who}'s vote was cast`),
};

/**
 * How two generals are shown: what each has received and sent (and whether it can know that its last
 * messenger arrived), whether it ordered the attack, and the reveal's words: who attacked at dawn.
 * Nothing is chosen by a vote here, so there is no commit point to show.
 */
import { nodeName } from '../../engine/names';
import type { GroupFacts, NodeFacts, Presentation } from '../../engine/protocol';
import { dawnTick, messengerWords, type GeneralDurable, type GeneralVolatile, type GeneralsGlobal, type GeneralsPayload } from './state';

/** The outcomes, as the protocol's `outcome` names them. */
export const BOTH_ATTACKED = 'both attacked';
export const NO_BATTLE = 'no battle';
export const aloneOutcome = (name: string): string => `${name} attacked alone`;

/** Whether a general can know that its last messenger arrived: only an answer to it tells. */
export function lastKnownArrived(d: GeneralDurable): boolean {
  return d.sent > 0 && d.heard > d.sent;
}

function sentLine(d: GeneralDurable): string {
  if (d.messengers === 0) return 'sent: no messenger yet';
  const count = d.messengers === 1 ? 'one messenger' : `${d.messengers} messengers`;
  const fate = lastKnownArrived(d) ? 'an answer shows it arrived' : 'not known to have arrived';
  return `sent: ${count}; the last carried ${messengerWords(d.sent)} (${fate})`;
}

function outcomeWords(outcome: string | null): string {
  if (outcome === BOTH_ATTACKED) return 'Both armies attacked at dawn, together: the city fell.';
  if (outcome === NO_BATTLE) return 'Neither army attacked: there was no battle.';
  if (outcome !== null) return `Only ${outcome.slice(0, 1)}'s army attacked at dawn, alone, and it was beaten.`;
  return 'Dawn has not come yet.';
}

export const generalsPresentation: Presentation<GeneralDurable, GeneralVolatile, GeneralsPayload, GeneralsGlobal> = {
  stateLines({ durable: d }: NodeFacts<GeneralDurable, GeneralVolatile>) {
    const lines = [d.heard === 0 ? 'received: no messenger yet' : `received: ${messengerWords(d.heard)} (the last to reach you)`, sentLine(d)];
    lines.push(d.attack ? 'ordered the attack at dawn' : 'has not ordered the attack');
    if (d.dawn) lines.push('dawn has come');
    return lines;
  },

  summaryLines: ({ durable: d }) => [d.attack ? 'attacks at dawn' : 'in camp', d.heard === 0 ? 'no news' : `got ${messengerWords(d.heard)}`],

  // A makes the plan and B answers it: the roles differ.
  showRoles: true,

  roleHint: (role, settings) =>
    role === 'planner'
      ? `You are general A. Send B the plan, attack at dawn, by messengers who may be caught on the way; order the attack if you judge it best. Dawn comes at tick ${settings.timeoutTicks}.`
      : `You are general B. Answer each messenger from A with an acknowledgement; order the attack if you judge it best. Dawn comes at tick ${settings.timeoutTicks}.`,

  messages: {
    plan: { colour: 'blue', shape: 'circle', short: 'PLAN' },
    ack: { colour: 'orange', shape: 'square', short: 'ACK' },
  },

  reveal: {
    outcome: (outcome) => outcomeWords(outcome),
    decidedVerb: 'decided',
    decidingEvent: (who) => `${who} ordered the attack`,
    voters: () => '',
    noCommitPoint: () => 'Nothing is chosen by a vote between two generals, so there is no commit point: each general ordered its own army, knowing only the messengers that reached it.',
    details(config, global) {
      const orders = [0, 1].map((id) => {
        const at = global.protocol.attackAt[id];
        return at === undefined ? `${nodeName(id)} never ordered the attack` : `${nodeName(id)} ordered the attack at tick ${at}`;
      });
      return [`${orders.join('; ')}. Dawn came at tick ${global.protocol.dawnAt ?? dawnTick(config)}.`];
    },
    decisionTick: (global) => global.protocol.dawnAt,
    learnedLine: (nodes) => {
      const saw = nodes.filter((n) => n.durable.dawn).map((n) => n.name);
      return saw.length > 0 ? `Generals who saw the dawn: ${saw.join(' and ')}.` : 'Neither general has seen the dawn yet.';
    },
    pendingOutcome: (outcome) => `${outcome}, not yet seen by both generals`,
    groupOutcome: (facts: GroupFacts<GeneralDurable, GeneralVolatile, GeneralsGlobal>) => (facts.outcome === null ? 'had no dawn yet' : facts.outcome),
    groupDetails: () => [],
  },
};

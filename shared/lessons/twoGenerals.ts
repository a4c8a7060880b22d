/**
 * Lesson 2: the two generals. The player is general A, with a plan to attack at dawn and a valley
 * between it and general B in which messengers may be caught. The script loses A's first messenger
 * and every answer B sends to A's acknowledgement (2): A learns that B has the plan, but never
 * whether its own last messenger arrived, and must decide whether to attack without being sure.
 */
import { nodeName } from '../engine/names';
import type { Command, EngineEvent, Message, NodeId, World } from '../engine/types';
import { BOTH_ATTACKED, NO_BATTLE, messengerWords, type GeneralDurable, type GeneralsGlobal } from '../protocols/generals';
import { factsOf, nameOf, shortName, toldAfterLines, whatIfOf, type DebriefLine, type RoundFacts, type WhatIfTold } from './debrief';
import type { Lesson, LessonMoment } from './types';

const A: NodeId = 0;
const B: NodeId = 1;
/** Dawn: the round's timeout. */
const DAWN = 40;
/** The slowest a messenger crosses the valley, in ticks. */
const LATENCY_MAX = 3;

const general = (world: World, id: NodeId): GeneralDurable => world.nodes[id]!.durable as GeneralDurable;

/** The messengers of a kind from one general to the other, due to arrive at the next tick. */
function due(world: World, from: NodeId, which: (m: Message) => boolean): Message[] {
  return world.inFlight.filter((m) => m.from === from && m.deliverAt <= world.tick + 1 && which(m));
}

const isPlan = (m: Message): boolean => m.payload.kind === 'plan';
const isAck = (n: number) => (m: Message): boolean => m.payload.kind === 'ack' && m.payload.n === n;

/** B answers at once whatever messenger waits for it. */
const bWaits = ({ world }: LessonMoment): boolean => {
  const b = world.nodes[B]!;
  return !b.crashed && b.inbox.length > 0 && !general(world, B).dawn;
};

export const twoGenerals: Lesson = {
  id: 'two-generals',
  number: 2,
  title: 'The two generals',
  idea:
    'Two generals must attack a city together or not at all, and their only link is a messenger across a valley where messengers may be caught. ' +
    'Whoever sent the last messenger never knows whether it arrived, so no exchange of messengers, however long, makes both generals sure. ' +
    'You are general A: you must decide whether to attack anyway.',
  essay: 'The Atomic Commit Problem',
  setup: {
    protocol: 'generals',
    nodes: 2,
    seed: 2,
    settings: { latencyMin: 2, latencyMax: LATENCY_MAX, timeoutTicks: DAWN },
    player: A,
    students: [A],
  },
  script: [
    {
      id: 'first-messenger-lost',
      when: ({ world }) => general(world, B).heard === 0 && due(world, A, isPlan).length > 0,
      commands: ({ world }) => [{ type: 'drop', id: due(world, A, isPlan)[0]!.id }],
      why: 'Your first messenger was caught in the valley and never reached B. No word comes back from a caught messenger: all you could see was that no acknowledgement came.',
      told: 'after',
    },
    {
      id: 'b-answers',
      times: 1000,
      when: bWaits,
      commands: ({ world }): Command[] => [{ type: 'act', node: B, action: { kind: 'ack', n: general(world, B).heard } }],
      why: 'B answers every messenger that reaches it at once, with an acknowledgement of it.',
    },
    {
      id: 'b-orders-attack',
      when: ({ world }) => {
        const b = general(world, B);
        return !world.nodes[B]!.crashed && b.heard >= 3 && !b.attack && !b.dawn;
      },
      commands: (): Command[] => [{ type: 'act', node: B, action: { kind: 'attack' } }],
      why: 'B ordered its army to attack at dawn: your acknowledgement (2) told it that you knew B had the plan. B could not know whether its answer to it would reach you.',
      told: 'after',
    },
    {
      id: 'answers-lost',
      times: 1000,
      when: ({ world }) => due(world, B, isAck(3)).length > 0,
      commands: ({ world }) => due(world, B, isAck(3)).map((m): Command => ({ type: 'drop', id: m.id })),
      why: 'B\'s acknowledgement (3) was caught in the valley: you never learned that your acknowledgement (2) had reached B.',
      told: 'after',
    },
  ],
  briefings: {
    [A]: 'You are A, the general who makes the plan; your ally, general B, waits across a valley where messengers may be caught, and a caught messenger sends no word back. Send B the plan (attack at dawn), answer what comes back, and decide when to order your own attack: no exchange of messengers, however long, makes both of you sure.',
  },
  steps: [
    {
      id: 'send',
      title: 'Send a messenger to B with the plan: attack at dawn.',
      groupTitle: 'General A sends a messenger to B with the plan: attack at dawn.',
      reached: ({ world }) => general(world, A).messengers > 0,
      hints: [{ afterTicks: 4, text: 'Press "Send a messenger: attack at dawn". The messenger crosses the valley to B, unless it is caught on the way.' }],
    },
    {
      id: 'acknowledged',
      title: 'Get an acknowledgement from B: then you know that B has the plan.',
      groupTitle: 'An acknowledgement from B reaches A: now A knows that B has the plan.',
      reached: ({ world }) => general(world, A).heard >= 2,
      hints: [
        {
          afterTicks: 7,
          text: `No acknowledgement yet, though a messenger and its answer take at most ${2 * LATENCY_MAX} ticks: your messenger or B's answer was caught, and from your camp you cannot tell which. Press "Send a messenger: attack at dawn" again.`,
        },
      ],
    },
    {
      id: 'answer-back',
      title: 'B knows it has the plan, but not whether its acknowledgement reached you: send an acknowledgement back.',
      groupTitle: 'B knows it has the plan, but not whether its acknowledgement reached A: A sends an acknowledgement back.',
      reached: ({ world }) => general(world, A).sent >= 3,
      hints: [{ afterTicks: 5, text: 'Press "Send an acknowledgement (2)". It tells B that you know B has the plan, if it arrives.' }],
    },
    {
      id: 'attack',
      title: 'Decide: order the attack, though you cannot be sure that B will attack too.',
      groupTitle: 'A decides: it orders the attack, though it cannot be sure that B will attack too.',
      reached: ({ world }) => general(world, A).attack,
      hints: [
        {
          afterTicks: 8,
          text: `No answer has come to your acknowledgement (2), and none may ever come. An answer would need an answer of its own, and so on: no exchange of messengers makes both generals sure. Press "Attack" when you judge it best; dawn comes at tick ${DAWN}.`,
        },
      ],
    },
    {
      id: 'dawn',
      title: 'Wait for dawn, and see whether B attacked too.',
      groupTitle: 'Dawn comes: did B attack too?',
      reached: ({ world }) => general(world, A).dawn,
      hints: [{ afterTicks: 10, text: `Dawn comes at tick ${DAWN}: then you see what B did.` }],
    },
  ],
  deadEnds: [
    {
      id: 'no-attack',
      when: ({ world }) => general(world, A).dawn && !general(world, A).attack,
      text: 'Dawn came, and you never ordered the attack. No number of messengers would have made you and B both sure, so waiting to be sure means waiting past dawn. Play the lesson again, and decide.',
    },
  ],
  debrief(round) {
    const facts = factsOf(twoGenerals, round);
    const lines: DebriefLine[] = [outcomeLine(facts), messengersLine(facts), ...knowledgeLines(facts), ...toldAfterLines(facts)];
    const told = lastMessengerOtherwise(facts);
    if (told) lines.push({ topic: 'what-if', text: whatIfSentence(facts, told) });
    return { lines, commitPoint: null, knew: facts.knewAt.map((tick, node) => ({ node, tick })), messages: facts.messages, whatIf: told };
  },
};

function outcomeWords(facts: RoundFacts, outcome: string | null, world: World): string {
  const dawn = (world.global.protocol as GeneralsGlobal).dawnAt;
  if (outcome === BOTH_ATTACKED) return `both armies attacked at dawn (tick ${dawn}), together, and took the city`;
  if (outcome === NO_BATTLE) return 'neither army attacked, and there was no battle';
  if (outcome === null) return 'dawn had not come';
  const alone = outcome.startsWith(nodeName(A)) ? A : B;
  return `${shortName(facts.round, alone)}'s army attacked alone at dawn (tick ${dawn}) and was beaten, while ${shortName(facts.round, alone === A ? B : A)}'s stayed in camp`;
}

function outcomeLine(facts: RoundFacts): DebriefLine {
  const words = outcomeWords(facts, facts.outcome, facts.final);
  return { topic: 'outcome', text: `${words[0]!.toUpperCase()}${words.slice(1)}.` };
}

/** What became of one message: the step and tick it arrived, or was caught, or neither. */
interface Fate {
  message: Message;
  step: number;
  arrived: { step: number; tick: number } | null;
  caught: { step: number; tick: number } | null;
}

/** Every messenger of the round and its fate, from the engine's events. */
function fates(facts: RoundFacts): Fate[] {
  const byId = new Map<number, Fate>();
  facts.events.forEach((events: readonly EngineEvent[], step) => {
    const tick = facts.worlds[step + 1]!.tick;
    for (const e of events) {
      if (!e.message) continue;
      if (e.type === 'sent') byId.set(e.message.id, { message: e.message, step, arrived: null, caught: null });
      const fate = byId.get(e.message.id);
      if (!fate) continue;
      if (e.type === 'delivered') fate.arrived = { step, tick };
      if (e.type === 'dropped' || e.type === 'lost') fate.caught = { step, tick };
    }
  });
  return [...byId.values()];
}

function messengersLine(facts: RoundFacts): DebriefLine {
  const all = fates(facts);
  const from = (id: NodeId) => all.filter((f) => f.message.from === id).length;
  const arrived = all.filter((f) => f.arrived).length;
  const caught = all.filter((f) => f.caught).length;
  const onWay = all.length - arrived - caught;
  const rest = onWay > 0 ? `, and ${onWay} ${onWay === 1 ? 'was' : 'were'} still on the way when the round ended` : '';
  return {
    topic: 'messages',
    text: `${all.length} messenger${all.length === 1 ? ' was' : 's were'} sent (${from(A)} by ${shortName(facts.round, A)}, ${from(B)} by B): ${arrived} arrived, ${caught} ${caught === 1 ? 'was' : 'were'} caught in the valley${rest}.`,
  };
}

/** The step at which A ordered the attack, or null. */
function attackStep(facts: RoundFacts): number | null {
  const i = facts.round.log.findIndex((c) => c.type === 'act' && c.node === A && c.action.kind === 'attack');
  return i < 0 ? null : i;
}

/** The last messenger a general sent before this step, if any. */
function lastSentBefore(facts: RoundFacts, node: NodeId, step: number): Fate | null {
  const sent = fates(facts).filter((f) => f.message.from === node && f.step < step);
  return sent[sent.length - 1] ?? null;
}

function fateWords(fate: Fate, step: number): string {
  if (fate.caught && fate.caught.step < step) return `it had been caught at tick ${fate.caught.tick}`;
  if (fate.arrived && fate.arrived.step < step) return `it had arrived at tick ${fate.arrived.tick}`;
  if (fate.arrived) return `it was still on its way, and arrived at tick ${fate.arrived.tick}`;
  if (fate.caught) return `it was still on its way, and was caught at tick ${fate.caught.tick}`;
  return 'it was still on its way';
}

/** At the moment A ordered the attack: what each general knew, and what it could not know. */
function knowledgeLines(facts: RoundFacts): DebriefLine[] {
  const step = attackStep(facts);
  if (step === null) return [{ topic: 'knowledge', text: `${nameOf(facts.round, A)} never ordered the attack.` }];
  const world = facts.worlds[step + 1]!;
  const lines: DebriefLine[] = [];
  for (const id of [A, B]) {
    const d = general(world, id);
    const name = nodeName(id);
    const who = id === A ? `When ${nameOf(facts.round, A)} ordered the attack at tick ${world.tick}, A` : 'At that moment B';
    const heard = d.heard === 0 ? 'had received no messenger' : `had received ${messengerWords(d.heard)}`;
    const last = lastSentBefore(facts, id, step + 1);
    const lastWords = d.sent === 1 ? 'its last messenger, with the plan,' : `its last acknowledgement (${d.sent - 1})`;
    let sent = ', and had sent no messenger';
    if (last) {
      sent =
        d.heard > d.sent
          ? `, and knew that ${lastWords} had arrived: an answer to it had come`
          : `, and did not know whether ${lastWords} had arrived (${fateWords(last, step + 1)})`;
    }
    const order = id === B ? ` ${name} ${d.attack ? 'had' : 'had not'} ordered the attack.` : '';
    lines.push({ topic: 'knowledge', text: `${who} ${heard}${sent}.${order}` });
  }
  return lines;
}

/** A's last messenger before it ordered the attack, the other way: caught if it arrived, arriving if it was caught. */
function lastMessengerOtherwise(facts: RoundFacts): WhatIfTold | null {
  const step = attackStep(facts);
  const last = lastSentBefore(facts, A, step ?? facts.round.log.length);
  if (!last) return null;
  const words = `${messengerWords(depthOfMessage(last.message))}, sent at tick ${last.message.sentAt}`;
  if (last.caught) {
    const rule = facts.origins[last.caught.step]?.replace('script:', '') ?? '';
    return whatIfOf(facts, { kind: 'omit', step: last.caught.step }, `had A's last messenger before it ordered the attack (${words}) not been caught`, [rule]);
  }
  if (last.arrived) {
    return whatIfOf(facts, { kind: 'replace', step: last.arrived.step, command: { type: 'drop', id: last.message.id } }, `had A's last messenger before it ordered the attack (${words}) been caught`);
  }
  return null;
}

function depthOfMessage(m: Message): number {
  return m.payload.kind === 'plan' ? 1 : (m.payload.n as number) + 1;
}

function whatIfSentence(facts: RoundFacts, told: WhatIfTold): string {
  const world = told.run.world;
  const head = `${told.change[0]!.toUpperCase()}${told.change.slice(1)}, the same round, played on by bots from there,`;
  const b = general(world, B);
  const bWords = b.attack ? 'B would have ordered the attack' : 'B would not have ordered the attack';
  const result = told.outcome === null ? `would not have reached dawn within ${world.tick - told.run.divergedTick} ticks` : `would have come to this: ${outcomeWords(facts, told.outcome, world)}`;
  const realHeard = general(facts.final, A).heard;
  const same =
    general(world, A).heard === realHeard
      ? ` In both rounds the last messenger to reach A brought ${messengerWords(realHeard)}: from A's camp the two looked the same.`
      : '';
  return `${head} ${result}; ${bWords}.${same}`;
}

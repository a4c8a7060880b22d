/**
 * Lesson 1: one machine, log then apply. The player is the machine: it writes a client's update to
 * its log on disk, then applies it to the state in memory. The script crashes the machine twice:
 * once before an update is written (the update is lost, and its client asks again), once right
 * after the write and before the apply (recovery replays the log, and the update is applied all
 * the same). The commit point of each update is its write to the log.
 */
import type { Command, NodeId, World } from '../engine/types';
import { inWords } from '../protocols/machine/state';
import { commitPointMove, factsOf, nameOf, traceOf, ticks, whatIfOf, type DebriefLine, type RoundFacts, type WhatIfTold } from './debrief';
import { machineNode, openingRequests } from './look';
import type { Lesson, LessonMoment } from './types';

const MACHINE: NodeId = 0;
const FIRST = 'deposit 10';
const SECOND = 'withdraw 5';
/** Ticks the machine stays down after each crash. */
const DOWN_TICKS = 3;
/** Ticks after the machine is back before a client whose update was lost asks again. */
const RETRY_AFTER = 2;

const logHas = (world: World, update: string): boolean => machineNode(world, MACHINE).durable.log.includes(update);
const appliedHas = (world: World, update: string): boolean => machineNode(world, MACHINE).volatile.applied.includes(update);
const fired = (moment: LessonMoment, rule: string): boolean => moment.run.fired.some((f) => f.rule === rule && !f.refused);
/** The machine is up, back from its `crashes`-th crash (or a later one), as the god view's books keep them. */
const backFrom = (world: World, crashes: number): boolean =>
  !machineNode(world, MACHINE).crashed && world.global.downtime.length >= crashes && world.global.downtime[crashes - 1]!.to !== null;
/** The machine's last crash, as the god view's books keep it. */
const lastDown = (world: World): { from: number; to: number | null } | undefined => world.global.downtime.at(-1);

export const oneMachine: Lesson = {
  id: 'one-machine',
  number: 1,
  title: 'One machine: log, then apply',
  idea:
    'One machine makes an update atomic by writing it to a log on disk first and applying it to the state in memory after. ' +
    'The write is the commit point: crash before it and the update never happened, so the client must ask again; crash after it and recovery replays the log, so the update is applied all the same.',
  essay: 'The Atomic Commit Problem',
  setup: {
    protocol: 'machine',
    nodes: 1,
    seed: 1,
    settings: { latencyMin: 1, latencyMax: 1, decrees: [FIRST, SECOND] },
    player: MACHINE,
    students: [MACHINE],
  },
  script: [
    openingRequests([{ node: MACHINE, decree: FIRST }], `A client asks the machine for ${FIRST}. The request waits in memory.`),
    {
      id: 'crash-before-write',
      when: ({ world }) => appliedHas(world, FIRST) && !machineNode(world, MACHINE).crashed,
      commands: (): Command[] => [
        { type: 'propose', node: MACHINE, decree: SECOND },
        { type: 'crash', node: MACHINE },
      ],
      why: `A client asks for ${SECOND}, and at that moment the power fails: the machine crashes before it could write ${SECOND} to its log.`,
    },
    {
      id: 'recover',
      times: 10,
      when: ({ world }) => {
        const down = lastDown(world);
        return machineNode(world, MACHINE).crashed && down !== undefined && world.tick >= down.from + DOWN_TICKS;
      },
      commands: (): Command[] => [{ type: 'recover', node: MACHINE }],
      why: 'The power is back. The machine finds its log on disk and its memory empty, and replays the log: it applies every update the log holds, in order.',
    },
    {
      id: 'client-retries',
      times: 3,
      when: ({ world }) => {
        const m = machineNode(world, MACHINE);
        const down = lastDown(world);
        return (
          !m.crashed &&
          down?.to != null &&
          world.tick >= down.to + RETRY_AFTER &&
          world.proposed.includes(SECOND) &&
          !m.durable.log.includes(SECOND) &&
          !m.volatile.requests.includes(SECOND)
        );
      },
      commands: (): Command[] => [{ type: 'propose', node: MACHINE, decree: SECOND }],
      why: `The client asks for ${SECOND} again. It has to: the crash left the machine no trace of the first request.`,
    },
    {
      id: 'crash-after-write',
      when: ({ world }) => logHas(world, SECOND) && !appliedHas(world, SECOND) && !machineNode(world, MACHINE).crashed,
      commands: (): Command[] => [{ type: 'crash', node: MACHINE }],
      why: `The machine crashes again, just after it wrote ${SECOND} to its log and before it could apply it.`,
    },
  ],
  steps: [
    {
      id: 'write',
      title: `A client asks for ${FIRST}: write it to the log.`,
      groupTitle: `A client asks the machine A for ${FIRST}: A writes it to its log.`,
      reached: ({ world }) => logHas(world, FIRST),
      hints: [{ afterTicks: 6, text: `Press "Write ${FIRST} to the log". The log is on disk: what is written there survives a crash.` }],
    },
    {
      id: 'apply',
      title: `Apply ${FIRST} to the state in memory.`,
      groupTitle: `A applies ${FIRST} to its state in memory.`,
      reached: ({ world }) => appliedHas(world, FIRST),
      hints: [{ afterTicks: 6, text: `Press "Apply ${FIRST}". The log says what happened; the state in memory is what the machine works with.` }],
    },
    {
      id: 'lost',
      title: `The machine crashed before it wrote ${SECOND}. When it is back, look at what it kept and what it lost.`,
      groupTitle: `A crashed before it wrote ${SECOND}. When A is back, see what it kept on disk and what it lost from memory.`,
      reached: ({ world }) => backFrom(world, 1),
      hints: [{ afterTicks: 1, text: 'Nothing runs on the machine while it is down. Its log is on disk; everything in its memory is gone.' }],
    },
    {
      id: 'write-again',
      title: `The client asks for ${SECOND} again: write it to the log.`,
      groupTitle: `The client asks for ${SECOND} again: A writes it to its log.`,
      reached: ({ world }) => logHas(world, SECOND),
      hints: [
        { afterTicks: 6, text: `${SECOND} was never written, so the machine has no trace of it. Press "Write ${SECOND} to the log" once the request is back.` },
      ],
    },
    {
      id: 'replayed',
      title: `The machine crashed after the write and before the apply. When it is back, find ${SECOND} in its log and applied.`,
      groupTitle: `A crashed after the write and before the apply. When A is back, its recovery replays the log: ${SECOND} is in the log and applied.`,
      reached: (moment) => fired(moment, 'crash-after-write') && backFrom(moment.world, 2) && appliedHas(moment.world, SECOND),
      hints: [{ afterTicks: 1, text: `The write of ${SECOND} reached the disk before the crash: the log holds it, and recovery replays the log.` }],
    },
  ],
  briefings: {
    0: "You are A, the only machine in this round: clients ask you for updates. Write each update to your log on disk first, then apply it to your state in memory. Twice the power will fail: each time, look at what your machine kept on disk and what it lost from memory, and whether the update it was working on survived.",
  },
  deadEnds: [
    {
      id: 'crashed-by-hand',
      // A crash before the lesson's own loses the first update, which no client asks for again.
      when: (moment) => moment.world.global.downtime.length > 0 && !fired(moment, 'crash-before-write'),
      text: 'The machine was crashed by hand before the lesson\'s own crash, so the story can no longer go as written. Play the lesson again and leave the crashes to the lesson.',
    },
  ],
  debrief(round) {
    const facts = factsOf(oneMachine, round);
    const lines: DebriefLine[] = [];
    const m = machineNode(facts.final, MACHINE);
    lines.push({
      topic: 'outcome',
      text:
        facts.outcome !== null
          ? `${capital(inWords(m.durable.log))} ${m.durable.log.length === 1 ? 'was' : 'were'} written to the log and applied.`
          : `Not every update a client asked for was written and applied: the log holds ${m.durable.log.length === 0 ? 'nothing' : inWords(m.durable.log)}.`,
    });
    const points = facts.final.global.chosen;
    if (points.length > 0) {
      const each = points.map((cp) => `${cp.decree} by ${nameOf(round, cp.node)} at tick ${cp.tick}`);
      lines.push({
        topic: 'commit-point',
        text: `The commit point of each update was its write to the log: ${inWords(each)}. From each write on, no crash could undo that update, and the machine knew it at once: it made the write itself.`,
      });
    } else {
      lines.push({ topic: 'commit-point', text: 'Nothing was written to the log, so nothing was committed.' });
    }
    lines.push(...crashLines(facts));
    const told = crashOneStepEarlier(facts);
    if (told) lines.push({ topic: 'what-if', text: whatIfSentence(facts, told) });
    return {
      lines,
      commitPoint: commitPointMove(facts),
      knew: facts.knewAt.map((tick, node) => ({ node, tick })),
      messages: facts.messages,
      whatIf: told,
    };
  },
};

const capital = (s: string): string => `${s[0]!.toUpperCase()}${s.slice(1)}`;

/** Each crash: what it lost (memory: requests not yet written, the state applied) and what it kept (the log), and what recovery replayed. */
function crashLines(facts: RoundFacts): DebriefLine[] {
  const lines: DebriefLine[] = [];
  const log = facts.round.log;
  log.forEach((command, i) => {
    if (command.type !== 'crash') return;
    const before = machineNode(facts.worlds[i]!, MACHINE);
    const at = facts.worlds[i + 1]!.tick;
    const waiting = before.volatile.requests;
    const lost = [
      ...(waiting.length > 0 ? [`${inWords(waiting)}, asked for but not yet written`] : []),
      before.volatile.applied.length > 0 ? `the state, with ${inWords(before.volatile.applied)} applied` : 'the state, with nothing applied',
    ];
    const kept = before.durable.log.length > 0 ? `its log on disk, which held ${inWords(before.durable.log)}` : 'its log on disk, which was empty';
    const written = facts.final.global.chosen.filter((cp) => cp.step < i);
    const justWritten = written.find((cp) => cp.step === i - 1);
    const when = justWritten
      ? ` It came right after the write of ${justWritten.decree}, its commit point, and before ${justWritten.decree} was applied.`
      : waiting.length > 0
        ? ` It came before the write of ${inWords(waiting)}: no commit point, so for the machine ${waiting.length === 1 ? 'that update' : 'those updates'} never happened.`
        : '';
    let back = ' The machine was still down at the end.';
    const j = log.findIndex((c, k) => k > i && c.type === 'recover');
    if (j >= 0) {
      const after = machineNode(facts.worlds[j + 1]!, MACHINE);
      const replayed = after.volatile.applied;
      back = ` It came back at tick ${facts.worlds[j + 1]!.tick}, ${ticks(facts.worlds[j + 1]!.tick - at)} later, and replayed its log: ${replayed.length > 0 ? `it applied ${inWords(replayed)}` : 'there was nothing to apply'}.`;
    }
    lines.push({ topic: 'story', text: `The crash at tick ${at} lost what was only in memory: ${lost.join('; and ')}. It did not lose ${kept}.${when}${back}` });
  });
  // The client's retries, from the log: a request for an update it had asked for before.
  const asked = new Set<string>();
  log.forEach((command, i) => {
    if (command.type !== 'propose') return;
    if (asked.has(command.decree)) {
      lines.push({ topic: 'story', text: `At tick ${facts.worlds[i + 1]!.tick} the client asked for ${command.decree} again: nothing of its first request had survived the crash.` });
    }
    asked.add(command.decree);
  });
  return lines;
}

/** The crash right after a write, moved one step earlier: in place of the write. */
function crashOneStepEarlier(facts: RoundFacts): WhatIfTold | null {
  const crash = facts.origins.indexOf('script:crash-after-write');
  if (crash < 1) return null;
  const write = facts.round.log[crash - 1]!;
  if (write.type !== 'act' || write.action.kind !== 'write') return null;
  const tick = facts.worlds[crash]!.tick;
  return whatIfOf(
    facts,
    { kind: 'replace', step: crash - 1, command: { type: 'crash', node: MACHINE } },
    `had the crash at tick ${tick} come one step earlier, before ${nameOf(facts.round, write.node)} wrote ${String(write.action.update)} to the log`,
    ['crash-after-write'],
  );
}

function whatIfSentence(facts: RoundFacts, told: WhatIfTold): string {
  const run = told.run;
  const head = `${capital(told.change)}, the same round, played on by bots from there,`;
  const { worlds } = traceOf(run.config, run.log);
  // The machine as it came back from the moved crash.
  const back = run.log.findIndex((c, i) => i >= run.divergedAt && c.type === 'recover');
  const update = SECOND;
  const committed = run.world.global.chosen.find((cp) => cp.decree === update);
  const real = facts.final.global.chosen.find((cp) => cp.decree === update);
  if (back < 0) return `${head} would have left the machine down: ${update} would not have been written.`;
  const at = worlds[back + 1]!;
  const m = machineNode(at, MACHINE);
  const logWords = m.durable.log.length > 0 ? `only ${inWords(m.durable.log)}` : 'nothing';
  const first = `${head} would have brought the machine back at tick ${at.tick} with ${logWords} in its log: ${update} would have been lost with its memory`;
  if (!committed) return `${first}, and not written again within ${ticks(run.world.tick - run.divergedTick)}.`;
  const later = real ? ` (in this round: tick ${real.tick})` : '';
  return `${first}, and committed only at tick ${committed.tick}${later}, once the client had asked again and the machine wrote it anew.`;
}


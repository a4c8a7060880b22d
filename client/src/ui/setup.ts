/** The instructor's round setup form: protocol (and Multi-Paxos's election policy), N, seats, speed, sandbox, gossip, decision deadline, timeout, no timeouts, decrees. */
import { MAX_DECISION_DEADLINE_TICKS, MAX_DECREE_LENGTH, MAX_DECREES, MAX_NODES, MAX_TIMEOUT_TICKS } from '../../../shared/engine/limits';
import type { ElectionPolicy, ProtocolName } from '../../../shared/engine/types';
import { nodeName } from '../../../shared/engine/names';
import type { RoundSetup } from '../../../shared/wire/messages';
import { DEFAULT_TIMEOUT_TICKS } from '../../../shared/engine/world';
import { protocolOptions, protocolTitle, timeoutHint } from '../describe';
import { protocolFor } from '../../../shared/protocols';
import { h } from './dom';
import { classLessons } from '../../../shared/lessons';

export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8] as const;

export interface SetupValues {
  protocol: ProtocolName;
  nodes: number;
  studentSeats: number[];
  speed: number;
  sandbox: boolean;
  gossip: boolean;
  decisionDeadline: number;
  /** 0: the engine's timeout for the round's latency. */
  timeoutTicks: number;
  /** No node's timer is set or fires: nodes can only wait. */
  noTimeouts: boolean;
  /** Multi-Paxos: how a node that suspects the leader runs for leader. */
  election: ElectionPolicy;
  /** Raft's election timeouts, in ticks; min 0: from the round's timeout. */
  electionMin: number;
  electionMax: number;
  decrees: string[];
  /** Students per group in a class; 0: every student seat of one cluster. */
  groupSize: number;
  /** A lesson for the class to play (its id), or '' for none: the lesson sets the round up itself. */
  lesson: string;
}

export const DEFAULT_VALUES: SetupValues = {
  protocol: 'majority',
  nodes: 5,
  studentSeats: [0, 1, 2, 3, 4],
  speed: 1,
  sandbox: false,
  gossip: false,
  decisionDeadline: 0,
  timeoutTicks: 0,
  noTimeouts: false,
  election: 'ranked',
  electionMin: 0,
  electionMax: 0,
  decrees: ['X', 'Y'],
  groupSize: 0,
  lesson: '',
};

/** Students per group as typed: a whole number from 0 (every student seat) to the most nodes a round has. */
export function clampGroupSize(raw: string): number {
  const n = Math.round(Number(raw));
  return Number.isFinite(n) ? Math.max(0, Math.min(MAX_NODES, n)) : 0;
}

/** Parses "X, Y, Z" into decrees; empty entries are dropped. */
export function parseDecrees(text: string): string[] {
  return text
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d.length > 0);
}

export function toSetupMessage(v: SetupValues): RoundSetup {
  return {
    protocol: v.protocol,
    nodes: v.nodes,
    studentSeats: v.studentSeats.filter((s) => s < v.nodes),
    speed: v.speed,
    sandbox: v.sandbox,
    gossip: v.gossip,
    decisionDeadline: v.decisionDeadline,
    timeoutTicks: v.timeoutTicks,
    noTimeouts: v.noTimeouts,
    election: v.election,
    // Raft's alone: another protocol's round keeps the election timeouts from its timeout.
    electionTimeout: v.protocol === 'raft' && v.electionMin > 0 ? { min: v.electionMin, max: Math.max(v.electionMin, v.electionMax) } : { min: 0, max: 0 },
    decrees: v.decrees,
    groupSize: v.groupSize,
    ...(v.lesson !== '' ? { lesson: v.lesson } : {}),
  };
}

/**
 * Builds the form; `values` is kept up to date as the instructor edits it. `idPrefix` goes before
 * every element id, so that two forms (the lobby's and the next round's) can be in one page.
 */
export function setupForm(values: SetupValues, onStart: (v: SetupValues) => void, startLabel: string, idPrefix = ''): HTMLFormElement {
  const id = (name: string) => `${idPrefix}${name}`;
  const protocol = h('select', { id: id('setup-protocol') }, ...protocolOptions(values.protocol).map((o) => h('option', { value: o.value, selected: o.selected }, o.label)));
  const nodes = h('select', { id: id('setup-nodes') });
  // The sizes the chosen protocol allows.
  const drawNodes = () => {
    const { min, max } = protocolFor(values.protocol).nodeRange;
    const chosen = Math.max(min, Math.min(max, values.nodes));
    nodes.replaceChildren(...Array.from({ length: max - min + 1 }, (_, i) => h('option', { value: min + i, selected: min + i === chosen }, String(min + i))));
  };
  drawNodes();
  const seats = h('div', { class: 'nodes-pick', role: 'group', 'aria-label': 'Seats students may take' });
  const drawSeats = () => {
    seats.replaceChildren(
      ...Array.from({ length: values.nodes }, (_, i) =>
        h(
          'label',
          { class: 'inline' },
          h('input', {
            type: 'checkbox',
            checked: values.studentSeats.includes(i),
            'data-seat': i,
            onchange: (e: Event) => {
              const on = (e.target as HTMLInputElement).checked;
              values.studentSeats = on ? [...new Set([...values.studentSeats, i])].sort() : values.studentSeats.filter((s) => s !== i);
            },
          }),
          nodeName(i),
        ),
      ),
    );
  };
  drawSeats();
  const speed = h('select', { id: id('setup-speed') }, ...SPEEDS.map((s) => h('option', { value: s, selected: s === values.speed }, `${s}×`)));
  const sandbox = h('input', { type: 'checkbox', id: id('setup-sandbox'), checked: values.sandbox });
  const gossip = h('input', { type: 'checkbox', id: id('setup-gossip'), checked: values.gossip });
  const deadline = h('input', { type: 'number', id: id('setup-deadline'), min: 0, max: MAX_DECISION_DEADLINE_TICKS, value: values.decisionDeadline });
  const timeout = h('input', { type: 'number', id: id('setup-timeout'), min: 0, max: MAX_TIMEOUT_TICKS, value: values.timeoutTicks });
  const electionMin = h('input', { type: 'number', id: id('setup-election-min'), min: 0, max: MAX_TIMEOUT_TICKS, value: values.electionMin, 'aria-describedby': id('setup-election-timeout-hint') });
  const electionMax = h('input', { type: 'number', id: id('setup-election-max'), min: 0, max: MAX_TIMEOUT_TICKS, value: values.electionMax, 'aria-describedby': id('setup-election-timeout-hint') });
  const noTimeouts = h('input', { type: 'checkbox', id: id('setup-no-timeouts'), checked: values.noTimeouts, 'aria-describedby': id('setup-no-timeouts-hint') });
  const election = h(
    'select',
    { id: id('setup-election'), 'aria-describedby': id('setup-election-hint') },
    h('option', { value: 'ranked', selected: values.election === 'ranked' }, 'Ranked: in the order of names'),
    h('option', { value: 'naive', selected: values.election === 'naive' }, 'Naive: every suspicious node at once'),
  );
  // Only Multi-Paxos elects a leader.
  const electionRow = h(
    'div',
    { class: 'row' },
    h('label', {}, 'Election', election),
    h(
      'p',
      { class: 'hint', id: id('setup-election-hint') },
      'When a node stops hearing the leader\'s heartbeats it suspects it. Naive: every node that suspects it runs for leader at once, and their ballots can keep pre-empting each other. Ranked: a node waits one timeout for each node before it in the order of names that it has not given up on, and runs only if none of them took over.',
    ),
  );
  const showElection = () => (electionRow.hidden = values.protocol !== 'multipaxos');
  showElection();
  const decrees = h('input', { id: id('setup-decrees'), value: values.decrees.join(', ') });
  const groupSize = h('input', { type: 'number', id: id('setup-group-size'), min: 0, max: MAX_NODES, value: values.groupSize, 'aria-describedby': id('setup-group-size-hint') });
  const error = h('p', { class: 'error', role: 'alert' });
  // A class's lesson sets the round up itself: the fields below then wait for a round without one.
  const lessons = classLessons();
  const lesson = h(
    'select',
    { id: id('setup-lesson'), 'aria-describedby': id('setup-lesson-hint') },
    h('option', { value: '', selected: values.lesson === '' }, 'No lesson: the round set up below'),
    ...lessons.map((l) => h('option', { value: l.id, selected: l.id === values.lesson }, `${l.number}. ${l.title}`)),
  );
  const own = h('div', { class: 'setup-own' });
  const lessonHint = h('p', { class: 'hint', id: id('setup-lesson-hint') });
  const showLesson = () => {
    const picked = lessons.find((l) => l.id === values.lesson) ?? null;
    own.hidden = picked !== null;
    lessonHint.textContent = picked
      ? `${picked.idea} Each group is ${picked.setup.students.length} students at ${picked.setup.students.map(nodeName).join(', ')} (bots hold the rest), on the lesson's own round of ${protocolTitle(picked.setup.protocol)} with ${picked.setup.nodes} nodes. A group stops at each objective it reaches until you press "Next step".`
      : 'A lesson sets the round up itself, and each group plays it with the instructor moving it on objective by objective.';
  };
  lesson.onchange = () => {
    values.lesson = lesson.value;
    showLesson();
  };
  showLesson();

  const ticksOf = (input: HTMLInputElement): number => Math.max(0, Math.min(MAX_TIMEOUT_TICKS, Math.round(Number(input.value) || 0)));
  electionMin.onchange = () => (values.electionMin = ticksOf(electionMin));
  electionMax.onchange = () => (values.electionMax = ticksOf(electionMax));
  const electionTimeoutRow = h(
    'div',
    { class: 'row' },
    h('label', {}, 'Election timeout from (ticks, 0 = from the timeout)', electionMin),
    h('label', {}, 'to (ticks)', electionMax),
    h(
      'p',
      { class: 'hint', id: id('setup-election-timeout-hint') },
      'Each Raft server draws its election timeout at random from this range, again every time its timer starts. The shortest must be at least one round trip, and the range at least one hop wide, so that one candidate usually stands first and wins.',
    ),
  );
  electionTimeoutRow.hidden = values.protocol !== 'raft';
  protocol.onchange = () => {
    values.protocol = protocol.value;
    showElection();
    electionTimeoutRow.hidden = values.protocol !== 'raft';
    drawNodes();
    changeNodes();
  };
  const changeNodes = () => {
    const before = values.nodes;
    values.nodes = Number(nodes.value);
    // New seats default to students, removed ones drop out.
    for (let i = before; i < values.nodes; i++) if (!values.studentSeats.includes(i)) values.studentSeats.push(i);
    values.studentSeats = values.studentSeats.filter((s) => s < values.nodes);
    drawSeats();
  };
  nodes.onchange = changeNodes;
  speed.onchange = () => (values.speed = Number(speed.value));
  sandbox.onchange = () => (values.sandbox = sandbox.checked);
  gossip.onchange = () => (values.gossip = gossip.checked);
  deadline.onchange = () => (values.decisionDeadline = Math.max(0, Math.min(MAX_DECISION_DEADLINE_TICKS, Math.round(Number(deadline.value) || 0))));
  timeout.onchange = () => (values.timeoutTicks = Math.max(0, Math.min(MAX_TIMEOUT_TICKS, Math.round(Number(timeout.value) || 0))));
  noTimeouts.onchange = () => (values.noTimeouts = noTimeouts.checked);
  election.onchange = () => (values.election = election.value === 'naive' ? 'naive' : 'ranked');
  decrees.onchange = () => (values.decrees = parseDecrees(decrees.value));
  groupSize.onchange = () => (values.groupSize = clampGroupSize(groupSize.value));

  const form = h(
    'form',
    {
      id: id('setup-form'),
      onsubmit: (e: Event) => {
        e.preventDefault();
        const list = parseDecrees(decrees.value);
        if (list.length === 0 || list.length > MAX_DECREES) {
          error.textContent = `Name 1 to ${MAX_DECREES} decrees, separated by commas.`;
          return;
        }
        if (list.some((d) => d.length > MAX_DECREE_LENGTH)) {
          error.textContent = `Each decree is at most ${MAX_DECREE_LENGTH} characters.`;
          return;
        }
        values.decrees = list;
        values.groupSize = clampGroupSize(groupSize.value);
        error.textContent = '';
        onStart(values);
      },
    },
    h(
      'fieldset',
      {},
      h('legend', {}, 'Round setup'),
      h('div', { class: 'row' }, h('label', {}, 'Lesson', lesson), lessonHint),
      own,
      h('div', { class: 'row' }, h('label', {}, 'Speed', speed)),
      h('button', { class: 'primary', type: 'submit', id: id('start-round') }, startLabel),
      error,
    ),
  );
  own.append(
      h('div', { class: 'row' }, h('label', {}, 'Protocol', protocol), h('label', {}, 'Nodes', nodes)),
      electionRow,
      h('div', {}, h('span', { class: 'muted' }, 'Student seats (the rest are bots)'), seats),
      h('div', { class: 'row' }, h('label', { class: 'inline' }, sandbox, 'Sandbox (allow rule breaking)'), h('label', { class: 'inline' }, gossip, 'Gossip (announce decisions)')),
      h('div', { class: 'row' }, h('label', {}, 'Decision deadline (ticks, 0 = none)', deadline), h('label', {}, 'Decrees', decrees)),
      h(
        'div',
        { class: 'row' },
        h('label', {}, `Timeout (ticks, 0 = two round trips at the slowest latency, at least ${DEFAULT_TIMEOUT_TICKS})`, timeout),
        h('p', { class: 'hint', id: id('setup-timeout-hint') }, timeoutHint()),
      ),
      electionTimeoutRow,
      h(
        'div',
        { class: 'row' },
        h('label', { class: 'inline' }, noTimeouts, 'No timeouts (nodes can only wait)'),
        h(
          'p',
          { class: 'hint', id: id('setup-no-timeouts-hint') },
          'No timer is set or fires: a node cannot tell a slow message from a lost one or a crashed node, so nothing tells it to give up or try again, as in the FLP result.',
        ),
      ),
      h(
        'div',
        { class: 'row' },
        h('label', {}, 'Students per group (0 = fill every student seat)', groupSize),
        h('p', { class: 'hint', id: id('setup-group-size-hint') }, 'Each group plays its own cluster of this setup; a student who finds every group full starts a new one.'),
      ),
  );
  return form;
}

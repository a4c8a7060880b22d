/**
 * What the round canvas shows, computed from the latest view: a pure function, so the scene only
 * draws and the rule "a student sees only their own node's state" is tested here.
 */
import { nodeName } from '../../shared/engine/names';
import type { CommitPoint, EngineEvent, LearnedLog, NodeId, ProtocolName, Timer } from '../../shared/engine/types';
import type { GodView, NodeView } from '../../shared/engine/view';
import type { RosterMessage } from '../../shared/wire/messages';
import { protocolFor } from '../../shared/protocols';
import { nodeStateLines, nodeSummaryLines } from './describe';
import { commitPointsBySlot, slotName } from '../../shared/engine/reveal';
import { leaderLine, logPictureOf, type LogPicture } from './logs';

export interface NodePicture {
  id: NodeId;
  name: string;
  /** Name and, when a student holds the seat, their nickname. */
  title: string;
  role: string;
  /** State lines; empty when the viewer may not know them. */
  lines: string[];
  /** The same, shortened for the canvas. */
  summary: string[];
  crashed: boolean | null;
  /** What it learned, slot by slot; null when the viewer may not know. */
  learned: LearnedLog | null;
  /** Its running timers; none shown when the viewer may not know them. */
  timers: readonly Timer[];
  /** Its log as a strip of slots and the leader it believes in; null for a protocol without a log, or when the viewer may not know it. */
  log: LogPicture | null;
  isSelf: boolean;
  selected: boolean;
  /** This node's vote or acceptance made a majority, in some slot (shown at the reveal). */
  commit: boolean;
}

export interface MessagePicture {
  id: number;
  from: NodeId;
  to: NodeId;
  sentAt: number;
  deliverAt: number;
  /** Full label, or null when the viewer may not read the message. */
  label: string | null;
  kind: string | null;
  selected: boolean;
}

export interface Picture {
  protocol: ProtocolName;
  /** Whether nodes differ in role (2PC), so that each node's role is worth a line. */
  showRoles: boolean;
  tick: number;
  god: boolean;
  viewer: NodeId | null;
  nodes: NodePicture[];
  messages: MessagePicture[];
  partition: number[] | null;
  /** The commit points to mark, one per slot decided (a single decree has one). */
  commitPoints: readonly CommitPoint[];
  /** The replay step shown; absent in live play. */
  replayStep?: ReplayStep;
}

/**
 * A step of a replay as the canvas is shown it. `replay` numbers the replay opened and the eyes it
 * is seen through: opening another, or looking through other eyes, makes another. `played` says
 * that playback reached it, which may pass several commands between two frames.
 */
export interface ReplayStep {
  replay: number;
  step: number;
  played: boolean;
}

/**
 * Whether a picture shows what came right after the one drawn before it, so that a message gone
 * between the two may be shown vanishing (dropped or lost) and a new copy splitting off: always in
 * live play, where views come tick by tick; in a replay, after one step forward or after playback
 * moved forward. A seek shows another moment, not what happened on the way to it.
 */
export function followsOn(previous: ReplayStep | null, next: ReplayStep | null): boolean {
  if (previous === null || next === null) return previous === next;
  if (previous.replay !== next.replay) return false;
  return next.step === previous.step + 1 || (next.played && next.step > previous.step);
}

/** What the canvas shows happening to messages: those dropped or lost, and copies made (copy -> original). */
export interface MessageEffects {
  dropped: Set<number>;
  duplicates: Map<number, number>;
}

/** The message effects of some events, added to `into`. */
export function messageEffects(events: readonly EngineEvent[], into: MessageEffects = { dropped: new Set(), duplicates: new Map() }): MessageEffects {
  for (const e of events) {
    if ((e.type === 'dropped' || e.type === 'lost') && e.message) into.dropped.add(e.message.id);
    if (e.type === 'duplicated' && e.message && typeof e.original === 'number') into.duplicates.set(e.message.id, e.original);
  }
  return into;
}

export interface PictureInput {
  view: NodeView | GodView;
  roster?: RosterMessage | null;
  selectedNodes?: ReadonlySet<NodeId>;
  selectedMessage?: number | null;
  /** The commit points to highlight (from the reveal): one per slot decided, or none. */
  commitPoints?: readonly CommitPoint[];
  /**
   * The projector before its group's reveal: a room full of players watches it, so it marks no
   * commit point, whatever it is given; they are to find it themselves.
   */
  conceal?: boolean;
  /** The round is over: its clock stopped, so no timer runs any more, and none is drawn or told. */
  over?: boolean;
}

export function nicknamesOf(roster: RosterMessage | null | undefined): Map<NodeId, string> {
  const names = new Map<NodeId, string>();
  for (const seat of roster?.seats ?? []) if (seat.nickname) names.set(seat.node, seat.nickname);
  return names;
}

/** A message as the canvas draws it; `label` and `payload` are null when the viewer may not read it. */
function messagePicture(
  m: { id: number; from: NodeId; to: NodeId; sentAt: number; deliverAt: number; label: string | null; payload: { kind: string } | null },
  selectedMessage: number | null | undefined,
): MessagePicture {
  return {
    id: m.id,
    from: m.from,
    to: m.to,
    sentAt: m.sentAt,
    deliverAt: m.deliverAt,
    label: m.label,
    kind: m.payload?.kind ?? null,
    selected: selectedMessage === m.id,
  };
}

export function pictureOf(input: PictureInput): Picture {
  const { view } = input;
  const nicknames = nicknamesOf(input.roster);
  const selected = input.selectedNodes ?? new Set<NodeId>();
  const commitPoints = input.conceal ? [] : (input.commitPoints ?? []);
  const title = (id: NodeId) => (nicknames.has(id) ? `${nodeName(id)} · ${nicknames.get(id)}` : nodeName(id));
  // Without a tick the state lines leave the timers out.
  const clock = input.over ? undefined : view.now;
  if (view.kind === 'god') {
    const protocol = view.config.protocol;
    return {
      protocol,
      showRoles: protocolFor(protocol).present.showRoles,
      tick: view.now,
      god: true,
      viewer: null,
      nodes: view.nodes.map((n) => ({
        id: n.id,
        name: n.name,
        title: title(n.id),
        role: n.role,
        lines: nodeStateLines(protocol, n, view.config.nodes, clock),
        summary: nodeSummaryLines(protocol, n),
        crashed: n.crashed,
        learned: n.learned,
        timers: input.over ? [] : n.timers,
        log: logPictureOf(protocol, n),
        isSelf: false,
        selected: selected.has(n.id),
        commit: commitPoints.some((cp) => cp.node === n.id),
      })),
      messages: view.inFlight.map((m) => messagePicture(m, input.selectedMessage)),
      partition: view.partition,
      commitPoints,
    };
  }
  // A node never saw the commit point happen (its own tally could not show it): only the god view marks it.
  return {
    protocol: view.protocol,
    showRoles: protocolFor(view.protocol).present.showRoles,
    tick: view.now,
    god: false,
    viewer: view.node,
    nodes: view.peers.map((p) => {
      const self = p.id === view.node;
      return {
        id: p.id,
        name: p.name,
        title: title(p.id),
        role: p.role,
        lines: self ? nodeStateLines(view.protocol, view.self, view.nodes, clock) : [],
        summary: self ? nodeSummaryLines(view.protocol, view.self) : [],
        // Another node's crash is invisible: it looks just like a slow node.
        crashed: self ? view.self.crashed : null,
        learned: self ? view.self.learned : null,
        timers: self && !input.over ? view.self.timers : [],
        log: self ? logPictureOf(view.protocol, view.self) : null,
        isSelf: self,
        selected: selected.has(p.id),
        commit: false,
      };
    }),
    messages: view.inFlight.map((m) => messagePicture(m, input.selectedMessage)),
    partition: null,
    commitPoints: [],
  };
}

/** The lines of a node's label on the canvas: the commit point, the student, the role, the state. */
export function nodeLabelLines(n: NodePicture, picture: Picture): string[] {
  const head = n.title !== n.name ? n.title.slice(n.name.length + 3) : '';
  // Where every node has the same role, it is not worth a line.
  const role = picture.showRoles ? n.role : '';
  // A node that believes it leads needs no line for it: its crown and its own state line say so.
  const leader = n.log && n.log.leader !== n.id ? leaderLine(n.log.leader, null) : null;
  const lines = [head, n.isSelf ? (role ? `you · ${role}` : 'you') : role, leader ?? '', ...n.summary].filter((l) => l !== '');
  if (n.commit) {
    // In a log, which slots: a node may have made the commit point of several.
    const slots = commitPointsBySlot(picture.commitPoints).flatMap((cp) => (cp.node === n.id ? [slotName(picture.protocol, cp.slot)] : [])).filter((s) => s !== null);
    lines.unshift(slots.length > 0 ? `★ commit point: ${slotList(slots)}` : '★ commit point');
  }
  return lines;
}

/** Slot names in a short list: "slot 1, 2, 4" when they differ only by their numbers, else each in full. */
export function slotList(names: readonly string[]): string {
  const parts = names.map((n) => /^(.*?)(\d+)$/.exec(n));
  const prefix = parts[0]?.[1];
  if (parts.every((p) => p !== null && p[1] === prefix)) return `${names[0]}${parts.slice(1).map((p) => `, ${p![2]}`).join('')}`;
  return names.join(', ');
}

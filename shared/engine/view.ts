import { protocolFor } from '../protocols';
import { nodeName } from './names';
import type { Local, Protocol, RoundStatus } from './protocol';
import { localOf } from './step';
import type {
  Action,
  EngineEvent,
  GlobalState,
  InboxEntry,
  LearnedLog,
  Message,
  NodeId,
  NodeState,
  Payload,
  ProtocolName,
  RoundConfig,
  Settings,
  Timer,
  World,
} from './types';

export interface PeerView {
  id: NodeId;
  name: string;
  role: string;
}

/** A message in flight as a node sees it: contents only if it sent it or it is addressed to it. */
export interface InFlightView {
  id: number;
  from: NodeId;
  to: NodeId;
  sentAt: number;
  deliverAt: number;
  payload: Payload | null;
  label: string | null;
}

/** Everything one node can know, and nothing more. */
export interface NodeView {
  kind: 'node';
  node: NodeId;
  now: number;
  protocol: ProtocolName;
  nodes: number;
  settings: Settings;
  self: {
    id: NodeId;
    name: string;
    role: string;
    crashed: boolean;
    durable: object;
    volatile: object;
    /** Its running timers, with the tick each fires at: its player sees the ticks left. */
    timers: Timer[];
    /** What it knows is chosen, slot by slot. */
    learned: LearnedLog;
  };
  inbox: (InboxEntry & { label: string })[];
  legal: Action[];
  peers: PeerView[];
  inFlight: InFlightView[];
}

export interface GodNodeView extends NodeState {
  name: string;
  role: string;
  learned: LearnedLog;
  legal: Action[];
}

/** The whole truth, for instructors, replays and the reveal at the end of a round. */
export interface GodView {
  kind: 'god';
  now: number;
  step: number;
  config: RoundConfig;
  nodes: GodNodeView[];
  inFlight: (Message & { label: string })[];
  partition: number[] | null;
  proposed: string[];
  global: GlobalState;
  status: RoundStatus & { stuck: boolean };
}

/**
 * A node's view as the server sends it: everything but the legal moves, which follow from the rest
 * (`legalInView`). A player's client works them out with the same engine code the server uses, so
 * the server neither builds nor sends the list for every view of every player.
 */
export type SentNodeView = Omit<NodeView, 'legal'>;

export function viewOf(world: World, id: NodeId, views: ViewCache = engineViews): NodeView {
  const view = sentViewOf(world, id, views) as NodeView;
  view.legal = legalActions(world, id, views);
  return view;
}

export function sentViewOf(world: World, id: NodeId, views: ViewCache = engineViews): SentNodeView {
  const protocol = protocolFor(world.config.protocol);
  const node = world.nodes[id];
  if (!node) throw new Error(`no node ${id}`);
  return {
    kind: 'node',
    node: id,
    now: world.tick,
    protocol: world.config.protocol,
    nodes: world.config.nodes,
    settings: world.config.settings,
    self: selfOf(world, node, views),
    inbox: labelledInbox(node.inbox, protocol, views),
    peers:
      views.peerLists.get(world.config) ??
      keep(
        views.peerLists,
        world.config,
        world.nodes.map((n) => ({ id: n.id, name: nodeName(n.id), role: protocol.roleOf(world.config, n.id) })),
      ),
    inFlight: anonymousInFlight(world.inFlight, views).map((anonymous, i) => {
      const m = world.inFlight[i]!;
      return m.from !== id && m.to !== id ? anonymous : revealedOf(m, protocol, views);
    }),
  };
}

/** How node `id` sees one message in flight: its contents only if it sent it or it is addressed to it. */
export function inFlightViewOf(world: World, m: Message, id: NodeId, views: ViewCache = engineViews): InFlightView {
  return m.from !== id && m.to !== id ? anonymousOf(m, views) : revealedOf(m, protocolFor(world.config.protocol), views);
}

function revealedOf(m: Message, protocol: Protocol, views: ViewCache): InFlightView {
  return views.revealedEntries.get(m) ?? keep(views.revealedEntries, m, { ...anonymousOf(m, views), payload: m.payload, label: protocol.label(m.payload) });
}

/**
 * The parts of views already made. Worlds never change in place, so the parts of a view made from
 * one object (a message, a config) are made once and shared: by every node's view of a world, and
 * by the views of the worlds that follow while that object lives. Equal parts are then the same
 * object, which keeps views cheap to build and cheap to compare (see shared/wire/viewPatch.ts).
 * Every table is keyed by a part of a world, so it holds nothing once the worlds are gone. Whoever
 * makes many views of one round (a room on the server) keeps a cache of its own and passes it;
 * callers that pass none share `engineViews`.
 */
export class ViewCache {
  readonly anonymousLists = new WeakMap<readonly Message[], InFlightView[]>();
  readonly anonymousEntries = new WeakMap<Message, InFlightView>();
  readonly revealedEntries = new WeakMap<Message, InFlightView>();
  readonly labelledEntries = new WeakMap<InboxEntry, InboxEntry & { label: string }>();
  readonly peerLists = new WeakMap<RoundConfig, PeerView[]>();
  readonly labelledInboxes = new WeakMap<readonly InboxEntry[], NodeView['inbox']>();
  readonly selves = new WeakMap<NodeState, { config: RoundConfig; self: NodeView['self'] }>();
  readonly legalMoves = new WeakMap<NodeState, { config: RoundConfig; legal: Action[] }>();
}

/** The cache of callers that keep none of their own (the client, bots, tools). */
export const engineViews = new ViewCache();

function keep<K extends object, V>(cache: WeakMap<K, V>, key: K, value: V): V {
  cache.set(key, value);
  return value;
}

/** The in-flight list with every message's contents hidden; only a node's own messages differ from it. */
function anonymousInFlight(inFlight: readonly Message[], views: ViewCache): InFlightView[] {
  return views.anonymousLists.get(inFlight) ?? keep(views.anonymousLists, inFlight, inFlight.map((m) => anonymousOf(m, views)));
}

function anonymousOf(m: Message, views: ViewCache): InFlightView {
  return (
    views.anonymousEntries.get(m) ??
    keep(views.anonymousEntries, m, { id: m.id, from: m.from, to: m.to, sentAt: m.sentAt, deliverAt: m.deliverAt, payload: null, label: null })
  );
}

export function labelledInbox(inbox: readonly InboxEntry[], protocol: Protocol, views: ViewCache = engineViews): NodeView['inbox'] {
  return (
    views.labelledInboxes.get(inbox) ??
    keep(
      views.labelledInboxes,
      inbox,
      inbox.map((m) => views.labelledEntries.get(m) ?? keep(views.labelledEntries, m, { ...m, label: protocol.label(m.payload) })),
    )
  );
}

export function selfOf(world: World, node: NodeState, views: ViewCache = engineViews): NodeView['self'] {
  const known = views.selves.get(node);
  if (known && known.config === world.config) return known.self;
  const protocol = protocolFor(world.config.protocol);
  const self = {
    id: node.id,
    name: nodeName(node.id),
    role: protocol.roleOf(world.config, node.id),
    crashed: node.crashed,
    durable: node.durable,
    volatile: node.volatile,
    timers: node.timers,
    learned: protocol.learned(node),
  };
  views.selves.set(node, { config: world.config, self });
  return self;
}

export function godView(world: World, views: ViewCache = engineViews): GodView {
  const protocol = protocolFor(world.config.protocol);
  return {
    kind: 'god',
    now: world.tick,
    step: world.step,
    config: world.config,
    nodes: world.nodes.map((n) => ({
      ...n,
      name: nodeName(n.id),
      role: protocol.roleOf(world.config, n.id),
      learned: protocol.learned(n),
      legal: legalActions(world, n.id, views),
    })),
    inFlight: world.inFlight.map((m) => ({ ...m, label: protocol.label(m.payload) })),
    partition: world.partition,
    proposed: world.proposed,
    global: world.global,
    status: { ...protocol.status(world), stuck: world.global.stuck },
  };
}

/** The events a viewer may see: a node sees what concerns it, the god view sees everything. */
export function eventsFor(events: readonly EngineEvent[], viewer: NodeId | 'god'): EngineEvent[] {
  if (viewer === 'god') return events.slice();
  return events.filter((e) => e.visibleTo === 'all' || (Array.isArray(e.visibleTo) && e.visibleTo.includes(viewer)));
}

/**
 * The legal moves of the node whose view this is: the same as `legalActions` on the world it was
 * made from, since a node's rules read only its own state, its inbox, its timers, the clock and the settings.
 */
export function legalInView(view: SentNodeView): Action[] {
  if (view.self.crashed) return [];
  const { id, crashed, durable, volatile, timers } = view.self;
  // The seed only drives the network; no rule of a node reads it.
  const config: RoundConfig = { protocol: view.protocol, nodes: view.nodes, seed: 0, settings: view.settings };
  return protocolFor(view.protocol).legalActions({ now: view.now, config, node: { id, crashed, durable, volatile, inbox: view.inbox, timers } });
}

/** Legal actions of a node in a world (what bots choose from and buttons are made of). */
export function legalActions(world: World, id: NodeId, views: ViewCache = engineViews): Action[] {
  const node = world.nodes[id];
  if (!node || node.crashed) return [];
  const protocol = protocolFor(world.config.protocol);
  const known = views.legalMoves.get(node);
  // Legal moves follow from the node's state, never from the clock: they are worked out once per state.
  if (known && known.config === world.config) return known.legal;
  const legal = protocol.legalActions(localOf(world, id));
  views.legalMoves.set(node, { config: world.config, legal });
  return legal;
}

/** A move that breaks a rule of the protocol, offered in sandbox mode, with the rule it breaks. */
export interface RuleBreakingMove {
  action: Action;
  /** The rejection code of the rule, as recorded in the violation. */
  rule: string;
  /** The rule in a few words: "a vote is locked once cast". */
  title: string;
  /** The engine's explanation, the text outside sandbox mode would refuse the move with. */
  why: string;
}

function ruleBreakingMovesOf(local: Local): RuleBreakingMove[] {
  if (!local.config.settings.sandbox || local.node.crashed) return [];
  const protocol = protocolFor(local.config.protocol);
  const moves: RuleBreakingMove[] = [];
  for (const action of protocol.ruleBreakingCandidates(local)) {
    const refused = protocol.check(local, action);
    if (refused?.rule) moves.push({ action, rule: refused.code, title: protocol.ruleTitles[refused.code] ?? refused.code, why: refused.message });
  }
  return moves;
}

/**
 * The rule-breaking moves a node may make in a sandbox round (none outside sandbox mode): each is
 * refused by a rule of the protocol, which sandbox mode records as a violation instead.
 */
export function ruleBreakingActions(world: World, id: NodeId): RuleBreakingMove[] {
  const node = world.nodes[id];
  if (!node) return [];
  return ruleBreakingMovesOf(localOf(world, id));
}

/** The same moves, worked out from the node's own view, as `legalInView` does for the legal ones. */
export function ruleBreakingInView(view: SentNodeView): RuleBreakingMove[] {
  const { id, crashed, durable, volatile, timers } = view.self;
  const config: RoundConfig = { protocol: view.protocol, nodes: view.nodes, seed: 0, settings: view.settings };
  return ruleBreakingMovesOf({ now: view.now, config, node: { id, crashed, durable, volatile, inbox: view.inbox, timers } });
}

/**
 * Whether a round is over, for the room to end it: every live node knows the outcome and no message
 * waits in its inbox for an answer; or the engine proves the round stuck and nothing in flight could
 * still change a node's tally, so that every node's own tally can show the split. A sandbox round is
 * never over by itself: its rules may still be broken after a decision, and its instructor ends it.
 */
export function roundOver(world: World): boolean {
  if (world.config.settings.sandbox) return false;
  const live = world.nodes.filter((n) => !n.crashed);
  if (live.length === 0) return false;
  const protocol = protocolFor(world.config.protocol);
  if (protocol.status(world).decided && live.every((n) => n.inbox.length === 0)) return true;
  return world.global.stuck && !world.inFlight.some((m) => protocol.countsTowardOutcome(m.payload));
}

export function roundStatus(world: World): RoundStatus & { stuck: boolean } {
  return { ...protocolFor(world.config.protocol).status(world), stuck: world.global.stuck };
}

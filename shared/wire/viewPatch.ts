/**
 * A node's view, sent as what changed. A student's view changes a little at every tick (a message
 * appears, one is delivered) while most of it (the other messages in flight, the peers, the
 * settings) stays put; sending only the difference keeps each update small on a classroom's Wi-Fi
 * and cheap for a server holding hundreds of rooms. Both ends live here: the server keeps, per
 * client, the world whose view it last sent (`ViewTracker`); the client keeps the view it last
 * built (`ViewAssembler`); a connection always starts with a whole view. A node's legal moves are
 * not sent at all: the client works them out from its view.
 */
import { protocolFor } from '../protocols';
import type { NodeId, World } from '../engine/types';
import {
  engineViews,
  godView,
  inFlightViewOf,
  labelledInbox,
  legalActions,
  legalInView,
  selfOf,
  sentViewOf,
  type GodView,
  type InFlightView,
  type NodeView,
  type SentNodeView,
  type ViewCache,
} from '../engine/view';
import type { RoundInfo, ViewFrame, ViewMessage } from './messages';

type PatchedFields = Omit<SentNodeView, 'inFlight' | 'kind' | 'self' | 'inbox'>;

/** What changed in a node's view. Parts that did not change are left out. */
export interface NodeViewPatch {
  /** Plain fields whose value changed (the clock, the settings...). */
  set?: Partial<PatchedFields>;
  /** What changed in the node's own state. */
  self?: ObjectPatch;
  /** The inbox, when it changed. */
  inbox?: ListPatch<NodeView['inbox'][number]>;
  /** Messages in flight that are new or look different now (a delay, a payload seen), by id. */
  add?: readonly InFlightView[];
  /** Ids of messages no longer in flight. */
  drop?: readonly number[];
}

/**
 * An object's change: fields replaced, fields whose object value changed in part, fields gone. A
 * node's state changes a field or two at a time (a promise, a ballot seen), so it travels that way.
 */
export interface ObjectPatch {
  set?: Record<string, unknown>;
  merge?: Record<string, ObjectPatch>;
  drop?: string[];
}

/**
 * A list of objects rebuilt in order from runs `[from, to)` of the previous list and new items. An
 * inbox mostly loses an answered entry and gains a delivered one: one run and the new items.
 */
export type ListPatch<T extends object> = ([number, number] | T)[];

/** Structural equality of JSON-like values (what views are made of). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  // Counting keys in place rather than listing them: this runs for every field of every view sent.
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let keys = 0;
  for (const k in x) {
    if (!Object.hasOwn(x, k)) continue;
    if (!Object.hasOwn(y, k) || !sameValue(x[k], y[k])) return false;
    keys += 1;
  }
  for (const k in y) if (Object.hasOwn(y, k)) keys -= 1;
  return keys === 0;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What turns object `prev` into `next`; null when they are equal. */
export function diffObject(prev: Record<string, unknown>, next: Record<string, unknown>): ObjectPatch | null {
  if (prev === next) return null;
  const patch: ObjectPatch = {};
  for (const k in next) {
    if (!Object.hasOwn(next, k)) continue;
    const a = prev[k];
    const b = next[k];
    if (a === b) continue;
    if (isPlainObject(a) && isPlainObject(b) && Object.hasOwn(prev, k)) {
      const inner = diffObject(a, b);
      if (inner) (patch.merge ??= {})[k] = inner;
    } else if (!Object.hasOwn(prev, k) || !sameValue(a, b)) {
      (patch.set ??= {})[k] = b;
    }
  }
  for (const k in prev) if (Object.hasOwn(prev, k) && !Object.hasOwn(next, k)) (patch.drop ??= []).push(k);
  return patch.set || patch.merge || patch.drop ? patch : null;
}

export function applyObjectPatch<T extends object>(prev: T, patch: ObjectPatch): T {
  const out: Record<string, unknown> = { ...(prev as Record<string, unknown>) };
  for (const k of patch.drop ?? []) delete out[k];
  if (patch.set) Object.assign(out, patch.set);
  for (const [k, inner] of Object.entries(patch.merge ?? {})) out[k] = applyObjectPatch(out[k] as object, inner);
  return out as T;
}

/**
 * What turns list `prev` into `next`, or null when they are equal. Runs of `prev` are found in
 * order (an item that moved back is sent again); the items are objects, so a run cannot be mistaken
 * for one.
 */
export function diffList<T extends object>(prev: readonly T[], next: readonly T[]): ListPatch<T> | null {
  if (prev === next) return null;
  const patch: ListPatch<T> = [];
  let from = 0; // where in `prev` the search for the next run starts
  let run: [number, number] | null = null;
  for (let i = 0; i < next.length; i++) {
    const item = next[i]!;
    if (run && run[1] < prev.length && sameValue(prev[run[1]], item)) {
      run[1] += 1;
      from = run[1];
      continue;
    }
    let found = -1;
    for (let j = from; j < prev.length; j++) {
      if (sameValue(prev[j], item)) {
        found = j;
        break;
      }
    }
    if (found < 0) {
      run = null;
      patch.push(item);
      continue;
    }
    run = [found, found + 1];
    patch.push(run);
    from = found + 1;
  }
  // Unchanged: one run over the whole of `prev` (or two empty lists).
  const first = patch[0];
  const whole = patch.length === 0 || (patch.length === 1 && Array.isArray(first) && first[0] === 0 && first[1] === prev.length);
  return whole && prev.length === next.length ? null : patch;
}

export function applyListPatch<T extends object>(prev: readonly T[], patch: ListPatch<T>): T[] {
  const out: T[] = [];
  for (const part of patch) {
    if (Array.isArray(part)) for (let i = part[0]; i < part[1]; i++) out.push(prev[i]!);
    else out.push(part as T);
  }
  return out;
}

const FIELDS = ['node', 'now', 'protocol', 'nodes', 'settings', 'peers'] as const satisfies readonly (keyof PatchedFields)[];

/** What turns `prev` into `next`. Both lists of messages in flight are in id order, as the engine keeps them. */
export function diffNodeView(prev: SentNodeView, next: SentNodeView): NodeViewPatch {
  const patch: NodeViewPatch = {};
  for (const field of FIELDS) {
    if (!sameValue(prev[field], next[field])) (patch.set ??= {} as Record<string, unknown>)[field] = next[field];
  }
  const self = diffObject(prev.self as unknown as Record<string, unknown>, next.self as unknown as Record<string, unknown>);
  if (self) patch.self = self;
  const inbox = diffList(prev.inbox, next.inbox);
  if (inbox) patch.inbox = inbox;
  diffInFlight(patch, prev.inFlight, next.inFlight, (y) => y, (x, y) => (sameValue(x, y) ? null : y));
  return patch;
}

/**
 * Fills the patch's `add` and `drop` from two lists of messages in flight, both in id order as the
 * engine keeps them. `seen` is how the viewer sees a message; `changed`, how it sees one that is in
 * both lists, or null when it looks the same.
 */
function diffInFlight<T extends { id: number }>(
  patch: NodeViewPatch,
  a: readonly T[],
  b: readonly T[],
  seen: (y: T) => InFlightView,
  changed: (x: T, y: T) => InFlightView | null,
): void {
  if (a === b) return;
  const add: InFlightView[] = [];
  const drop: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x.id < y.id)) {
      drop.push(x!.id);
      i += 1;
    } else if (x === undefined || y.id < x.id) {
      add.push(seen(y));
      j += 1;
    } else {
      const now = changed(x, y);
      if (now) add.push(now);
      i += 1;
      j += 1;
    }
  }
  if (add.length > 0) patch.add = add;
  if (drop.length > 0) patch.drop = drop;
}

/**
 * The same patch as `diffNodeView(sentViewOf(prev, id), sentViewOf(next, id))`, worked out from
 * the two worlds without building either view. Worlds share what did not change, so most of the
 * comparison is of object identity: the node's state, its inbox, each message in flight.
 */
export function diffNodeViewBetween(prev: World, next: World, id: NodeId, views: ViewCache = engineViews): NodeViewPatch {
  if (prev.config !== next.config) return diffNodeView(sentViewOf(prev, id, views), sentViewOf(next, id, views));
  const patch: NodeViewPatch = {};
  if (prev.tick !== next.tick) patch.set = { now: next.tick };
  const before = prev.nodes[id]!;
  const after = next.nodes[id]!;
  if (before !== after) {
    const self = diffObject(selfOf(prev, before, views) as unknown as Record<string, unknown>, selfOf(next, after, views) as unknown as Record<string, unknown>);
    if (self) patch.self = self;
    if (before.inbox !== after.inbox) {
      const protocol = protocolFor(next.config.protocol);
      const inbox = diffList(labelledInbox(before.inbox, protocol, views), labelledInbox(after.inbox, protocol, views));
      if (inbox) patch.inbox = inbox;
    }
  }
  diffInFlight(
    patch,
    prev.inFlight,
    next.inFlight,
    (y) => inFlightViewOf(next, y, id, views),
    (x, y) => {
      // The same message object looks the same; a changed one (a delay) may look different.
      if (x === y) return null;
      const now = inFlightViewOf(next, y, id, views);
      return sameValue(inFlightViewOf(prev, x, id, views), now) ? null : now;
    },
  );
  return patch;
}

/** The view `patch` was made from, given the one it was made against. */
export function applyNodePatch(prev: SentNodeView, patch: NodeViewPatch): SentNodeView {
  const added = (patch.add ?? []).slice().sort((x, y) => x.id - y.id);
  const dropped = new Set(patch.drop);
  for (const m of added) dropped.add(m.id);
  const kept = prev.inFlight.filter((m) => !dropped.has(m.id));
  const inFlight: InFlightView[] = [];
  let i = 0;
  let j = 0;
  while (i < kept.length || j < added.length) {
    if (j >= added.length || (i < kept.length && kept[i]!.id < added[j]!.id)) inFlight.push(kept[i++]!);
    else inFlight.push(added[j++]!);
  }
  const view: SentNodeView = { ...prev, ...patch.set, kind: 'node', inFlight };
  if (patch.self) view.self = applyObjectPatch(prev.self, patch.self);
  if (patch.inbox) view.inbox = applyListPatch(prev.inbox, patch.inbox);
  return view;
}

/** Whether two round descriptions differ in nothing but the tick, which a node's view carries as `now`. */
function sameRoundApartFromTick(a: RoundInfo, b: RoundInfo): boolean {
  return a === b || (a.id === b.id && a.phase === b.phase && a.protocol === b.protocol && a.nodes === b.nodes && a.speed === b.speed && a.sandbox === b.sandbox);
}

/** Whole views made once for every client that gets one at the same moment (one flush of a room). */
export interface ViewBatch {
  round: RoundInfo;
  god?: GodView;
  nodes: Map<NodeId, SentNodeView>;
}

export const newViewBatch = (round: RoundInfo): ViewBatch => ({ round, nodes: new Map() });

/** Whose view a client gets: the god view or one node's. */
export type Viewer = NodeId | 'god';

/**
 * The server's side: what one client was last sent, and the next `view` frame for it. A client's
 * first view, and the first after a seat change (`forget`), is whole; a node's later views are
 * patches against the world last sent; the god view is always whole.
 */
export class ViewTracker {
  private shown: { world: World; round: RoundInfo; seat: NodeId | 'god'; lastSeq: number } | null = null;

  /** The client holds no view now (a new connection, a new seat): its next view is whole. */
  forget(): void {
    this.shown = null;
  }

  /** Whether the client's view differs from the last one it was sent, as far as it can without a visible event. */
  changed(world: World, round: RoundInfo, viewer: Viewer, lastSeq: number, views: ViewCache = engineViews): boolean {
    const last = this.shown;
    const seat = viewer;
    if (!last || !sameRoundApartFromTick(last.round, round) || last.seat !== seat || last.lastSeq !== lastSeq) return true;
    if (seat === 'god') return last.world !== world;
    if (last.world.nodes[seat] !== world.nodes[seat] || last.world.inFlight !== world.inFlight) return true;
    // Legal moves can change with time alone (a timeout passing); the client works them out from the view's clock.
    return !sameValue(legalActions(world, seat, views), legalActions(last.world, seat, views));
  }

  /**
   * The frame that brings the client to `world`, recorded as sent. `events` go on a node's frame
   * only when there are some; `accepted` answers an applied act.
   */
  frame(
    world: World,
    batch: ViewBatch,
    viewer: Viewer,
    lastSeq: number,
    events: ViewFrame['events'],
    accepted?: number,
    views: ViewCache = engineViews,
  ): ViewFrame {
    const round = batch.round;
    let frame: ViewFrame;
    if (viewer === 'god') {
      frame = { round, view: (batch.god ??= godView(world, views)), events: events ?? [], lastSeq: 0 };
      this.shown = { world, round, seat: 'god', lastSeq: 0 };
      return frame;
    }
    const node = viewer;
    const base = this.shown;
    // The same config object means the same round, so the client's view is of this round's world.
    if (base && base.seat === node && base.world.config === world.config) {
      frame = { patch: diffNodeViewBetween(base.world, world, node, views), lastSeq };
      // The client knows the round; when only its tick moved, the view's clock says so.
      if (!sameRoundApartFromTick(base.round, round)) frame.round = round;
    } else {
      let whole = batch.nodes.get(node);
      if (!whole) batch.nodes.set(node, (whole = sentViewOf(world, node, views)));
      frame = { round, view: whole, lastSeq };
    }
    if (events && events.length > 0) frame.events = events;
    if (accepted !== undefined) frame.accepted = accepted;
    this.shown = { world, round, seat: node, lastSeq };
    return frame;
  }
}

/**
 * Turns a client's `view` frames back into whole messages, keeping the last view to patch. A node's
 * legal moves are not sent: they are worked out here from the view, by the engine's own rules.
 */
export class ViewAssembler {
  private last: SentNodeView | GodView | null = null;
  private round: RoundInfo | null = null;

  /** The whole message, or an error when a patch comes with no node view to apply it to. */
  accept(frame: ViewFrame): ViewMessage {
    const { patch, view, round, events, ...rest } = frame;
    let whole: NodeView | GodView;
    if (view) {
      this.last = view;
      whole = view.kind === 'god' ? view : withLegal(view);
    } else {
      if (!this.last || this.last.kind !== 'node') throw new Error('a view patch arrived before any node view');
      this.last = applyNodePatch(this.last, patch!);
      whole = withLegal(this.last);
    }
    // A frame leaves out the round when only its tick moved: the tick is the view's clock.
    if (round) this.round = round;
    else if (this.round) this.round = { ...this.round, tick: whole.now };
    else throw new Error('a view arrived before any round information');
    return { ...rest, round: this.round, view: whole, events: events ?? [] };
  }
}

function withLegal(view: SentNodeView): NodeView {
  return { ...view, legal: legalInView(view) };
}

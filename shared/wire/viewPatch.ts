/**
 * A node's view, sent as what changed. A student's view changes a little at every tick (a message
 * appears, one is delivered) while most of it (the other messages in flight, the peers, the
 * settings) stays put; sending only the difference keeps each update small on a classroom's Wi-Fi
 * and cheap for a server holding hundreds of rooms. The server keeps, per client, the view it last
 * sent; the client keeps the view it last built; a connection always starts with a whole view.
 */
import type { GodView, InFlightView, NodeView } from '../engine/view';
import type { ViewFrame, ViewMessage } from './messages';

type PatchedFields = Omit<NodeView, 'inFlight' | 'kind'>;

export interface NodeViewPatch {
  /** Fields whose value changed, apart from the messages in flight. */
  set: Partial<PatchedFields>;
  /** Messages in flight that are new or look different now (a delay, a payload seen), by id. */
  add: InFlightView[];
  /** Ids of messages no longer in flight. */
  drop: number[];
  /** The inbox, when it only lost answered messages and gained new ones at its end (else it is in `set`). */
  inbox?: { drop: number[]; add: NodeView['inbox'] };
}

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
    if (!Object.prototype.hasOwnProperty.call(x, k)) continue;
    if (!Object.prototype.hasOwnProperty.call(y, k) || !sameValue(x[k], y[k])) return false;
    keys += 1;
  }
  for (const k in y) if (Object.prototype.hasOwnProperty.call(y, k)) keys -= 1;
  return keys === 0;
}

const FIELDS = ['node', 'now', 'protocol', 'nodes', 'settings', 'self', 'legal', 'peers'] as const satisfies readonly (keyof PatchedFields)[];

type Inbox = NodeView['inbox'];

/** How `next` follows from `prev` by dropping entries and adding some at the end; null if it does not. */
function inboxChange(prev: Inbox, next: Inbox): { drop: number[]; add: Inbox } | null {
  const stays = new Set(next.map((m) => m.id));
  const drop: number[] = [];
  let kept = 0;
  for (const m of prev) {
    if (!stays.has(m.id)) drop.push(m.id);
    else if (!sameValue(m, next[kept++])) return null;
  }
  const add = next.slice(kept);
  const before = new Set(prev.map((m) => m.id));
  if (add.some((m) => before.has(m.id))) return null;
  return { drop, add };
}

/** What turns `prev` into `next`. Both lists of messages in flight are in id order, as the engine keeps them. */
export function diffNodeView(prev: NodeView, next: NodeView): NodeViewPatch {
  const set: Partial<PatchedFields> = {};
  for (const field of FIELDS) {
    if (!sameValue(prev[field], next[field])) (set as Record<string, unknown>)[field] = next[field];
  }
  let inbox: NodeViewPatch['inbox'];
  if (!sameValue(prev.inbox, next.inbox)) {
    const change = inboxChange(prev.inbox, next.inbox);
    if (change) inbox = change;
    else set.inbox = next.inbox;
  }
  const add: InFlightView[] = [];
  const drop: number[] = [];
  const a = prev.inFlight;
  const b = next.inFlight;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x.id < y.id)) {
      drop.push(x!.id);
      i += 1;
    } else if (x === undefined || y.id < x.id) {
      add.push(y);
      j += 1;
    } else {
      if (!sameValue(x, y)) add.push(y);
      i += 1;
      j += 1;
    }
  }
  return inbox ? { set, add, drop, inbox } : { set, add, drop };
}

/** The view `patch` was made from, given the one it was made against. */
export function applyNodePatch(prev: NodeView, patch: NodeViewPatch): NodeView {
  const dropped = new Set(patch.drop);
  for (const m of patch.add) dropped.add(m.id);
  const kept = prev.inFlight.filter((m) => !dropped.has(m.id));
  const added = patch.add.slice().sort((x, y) => x.id - y.id);
  const inFlight: InFlightView[] = [];
  let i = 0;
  let j = 0;
  while (i < kept.length || j < added.length) {
    if (j >= added.length || (i < kept.length && kept[i]!.id < added[j]!.id)) inFlight.push(kept[i++]!);
    else inFlight.push(added[j++]!);
  }
  const view: NodeView = { ...prev, ...patch.set, kind: 'node', inFlight };
  if (patch.inbox) {
    const answered = new Set(patch.inbox.drop);
    view.inbox = prev.inbox.filter((m) => !answered.has(m.id)).concat(patch.inbox.add);
  }
  return view;
}

/** Turns a client's `view` frames back into whole messages, keeping the last view to patch. */
export class ViewAssembler {
  private last: NodeView | GodView | null = null;

  /** The whole message, or an error when a patch comes with no node view to apply it to. */
  accept(frame: ViewFrame): ViewMessage {
    const { patch, view, ...rest } = frame;
    if (view) {
      this.last = view;
      return { ...rest, view };
    }
    if (!this.last || this.last.kind !== 'node') throw new Error('a view patch arrived before any node view');
    this.last = applyNodePatch(this.last, patch!);
    return { ...rest, view: this.last };
  }
}

import { majorityOf, nodeName } from './names';
import type { CastVote, Protocol, ProtocolContext } from './protocol';
import { Rng } from './rng';
import type {
  BallotBox,
  CommitPoint,
  EngineEvent,
  GlobalState,
  InboxEntry,
  Message,
  NodeId,
  NodeState,
  Payload,
  RoundConfig,
  Slot,
  Timer,
  Violation,
  World,
} from './types';

/** Most messages a node keeps waiting in its inbox; older ones are discarded first. */
export const INBOX_LIMIT = 64;

/**
 * The mutable draft of the next world during one step. The previous world is never touched:
 * every node, array or record that changes is replaced, so old worlds stay valid for replay.
 */
export class StepContext implements ProtocolContext {
  readonly world: World;
  readonly events: EngineEvent[] = [];
  readonly rng: Rng;
  private globalCopied = false;
  private inFlightCopied = false;
  private labelled: Payload | null = null;
  private labelledAs = '';

  constructor(
    previous: World,
    readonly protocol: Protocol,
  ) {
    // Copied field by field, as the nodes are (see `put`): a spread meets the world in more shapes
    // than V8 keeps a fast copy for, and this copy is made at every step.
    this.world = {
      config: previous.config,
      tick: previous.tick,
      step: previous.step,
      rng: previous.rng,
      nextMessageId: previous.nextMessageId,
      nextTimerAt: previous.nextTimerAt,
      nodes: previous.nodes.slice(),
      inFlight: previous.inFlight,
      partition: previous.partition,
      proposed: previous.proposed,
      global: previous.global,
    };
    this.rng = new Rng(previous.rng);
  }

  get now(): number {
    return this.world.tick;
  }

  get config(): RoundConfig {
    return this.world.config;
  }

  node(id: NodeId): NodeState {
    const node = this.world.nodes[id];
    if (!node) throw new Error(`no node ${id}`);
    return node;
  }

  durable(id: NodeId): object {
    return this.node(id).durable;
  }

  volatile(id: NodeId): object {
    return this.node(id).volatile;
  }

  updateNode(id: NodeId, patch: Partial<NodeState>): void {
    const n = this.node(id);
    this.put(n, patch.crashed ?? n.crashed, patch.durable ?? n.durable, patch.volatile ?? n.volatile, patch.inbox ?? n.inbox, patch.timers ?? n.timers);
  }

  /**
   * The node made anew with these parts, field by field. Spreading a patch over it instead (`{...node,
   * ...patch}`) meets as many shapes of patch as there are kinds of change, and past four V8 gives
   * up on making the spread fast: every change of every node then paid for it.
   */
  private put(n: NodeState, crashed: boolean, durable: object, volatile: object, inbox: InboxEntry[], timers: Timer[]): void {
    this.world.nodes[n.id] = { id: n.id, crashed, durable, volatile, inbox, timers };
  }

  setDurable(id: NodeId, durable: object): void {
    const n = this.node(id);
    this.put(n, n.crashed, durable, n.volatile, n.inbox, n.timers);
  }

  setVolatile(id: NodeId, volatile: object): void {
    const n = this.node(id);
    this.put(n, n.crashed, n.durable, volatile, n.inbox, n.timers);
  }

  setInbox(id: NodeId, inbox: InboxEntry[]): void {
    const n = this.node(id);
    this.put(n, n.crashed, n.durable, n.volatile, inbox, n.timers);
  }

  /** Replaces the node's running timers (soonest first). */
  setTimers(id: NodeId, timers: Timer[]): void {
    const n = this.node(id);
    this.put(n, n.crashed, n.durable, n.volatile, n.inbox, timers);
  }

  addToInbox(id: NodeId, message: Message): void {
    const inbox = this.node(id).inbox;
    // Field by field, as `put` makes nodes: messages reach here in several shapes, and a spread of each is slow.
    const entry: InboxEntry = {
      id: message.id,
      from: message.from,
      to: message.to,
      payload: message.payload,
      sentAt: message.sentAt,
      deliverAt: message.deliverAt,
      deliveredAt: this.now,
    };
    const next = inbox.length >= INBOX_LIMIT ? inbox.slice(inbox.length - INBOX_LIMIT + 1) : inbox.slice();
    next.push(entry);
    this.setInbox(id, next);
  }

  removeFromInbox(id: NodeId, messageId: number): void {
    this.setInbox(id, this.node(id).inbox.filter((m) => m.id !== messageId));
  }

  mutableInFlight(): Message[] {
    if (!this.inFlightCopied) {
      this.world.inFlight = this.world.inFlight.slice();
      this.inFlightCopied = true;
    }
    return this.world.inFlight;
  }

  /** The god view's books, copied once per step before the first change. The protocol's own block is replaced whole (`setProtocolGlobal`). */
  mutableGlobal(): GlobalState {
    if (!this.globalCopied) {
      const g = this.world.global;
      this.world.global = {
        boxes: g.boxes.slice(),
        chosen: g.chosen.slice(),
        violations: g.violations.slice(),
        stuck: g.stuck,
        downtime: g.downtime.slice(),
        protocol: g.protocol,
      };
      this.globalCopied = true;
    }
    return this.world.global;
  }

  protocolGlobal(): unknown {
    return this.world.global.protocol;
  }

  setProtocolGlobal(global: unknown): void {
    this.mutableGlobal().protocol = global;
  }

  setStuck(stuck: boolean): void {
    if (this.world.global.stuck !== stuck) this.mutableGlobal().stuck = stuck;
  }

  setTimer(id: NodeId, name: string, ticks: number): void {
    const order = this.protocol.timerOrder(name);
    if (order < 0) throw new Error(`${this.protocol.name} has no timer "${name}" in its timer table`);
    if (!Number.isInteger(ticks) || ticks < 1) throw new Error(`a timer runs for a whole number of ticks, at least 1, not ${ticks}`);
    const node = this.node(id);
    // Without timeouts no timer runs: a node waits for messages and nothing else.
    if (node.crashed || this.config.settings.noTimeouts === true) return;
    const timer: Timer = { name, setAt: this.now, firesAt: this.now + ticks };
    const next = this.world.nextTimerAt;
    if (next === null || timer.firesAt < next) this.world.nextTimerAt = timer.firesAt;
    // Most nodes run one timer at most.
    if (node.timers.length === 0 || (node.timers.length === 1 && node.timers[0]!.name === name)) {
      this.setTimers(id, [timer]);
      return;
    }
    const timers = node.timers.filter((t) => t.name !== name);
    // Soonest first; timers due at the same tick fire in the table's order.
    let at = 0;
    while (at < timers.length && (timers[at]!.firesAt < timer.firesAt || (timers[at]!.firesAt === timer.firesAt && this.protocol.timerOrder(timers[at]!.name) < order))) at++;
    timers.splice(at, 0, timer);
    this.setTimers(id, timers);
  }

  cancelTimer(id: NodeId, name: string): void {
    const timers = this.node(id).timers;
    if (this.timer(id, name)) this.setTimers(id, timers.length === 1 ? [] : timers.filter((t) => t.name !== name));
  }

  timer(id: NodeId, name: string): Timer | undefined {
    for (const t of this.node(id).timers) if (t.name === name) return t;
    return undefined;
  }

  random(min: number, max: number): number {
    return this.rng.int(min, max);
  }

  latency(): number {
    const { latencyMin, latencyMax } = this.config.settings;
    return this.rng.int(latencyMin, latencyMax);
  }

  /** Puts a message on the wire; it arrives after a random latency unless lost on the way. */
  send(from: NodeId, to: NodeId, payload: Payload): Message {
    const message: Message = {
      id: this.world.nextMessageId,
      from,
      to,
      payload,
      sentAt: this.now,
      deliverAt: this.now + this.latency(),
    };
    this.world.nextMessageId += 1;
    this.mutableInFlight().push(message);
    this.emit({
      type: 'sent',
      visibleTo: [from],
      node: from,
      message,
      text: `${nodeName(from)} sent ${this.label(payload)} to ${nodeName(to)}.`,
    });
    return message;
  }

  /** The payload's label; the same payload sent to several nodes in a row (a broadcast) is labelled once. */
  private label(payload: Payload): string {
    if (payload !== this.labelled) {
      this.labelled = payload;
      this.labelledAs = this.protocol.label(payload);
    }
    return this.labelledAs;
  }

  /** Sends the payload to every other node (and to itself when `self` is set). */
  broadcast(from: NodeId, payload: Payload, self = false): void {
    for (let to = 0; to < this.config.nodes; to++) {
      if (to !== from || self) this.send(from, to, payload);
    }
  }

  emit(event: EngineEvent): void {
    this.events.push(event);
  }

  /** A rule broken in sandbox mode: on record for the god view, and told at once to the node that broke it. */
  violation(code: string, message: string, node?: NodeId): void {
    const v: Violation = { step: this.world.step, tick: this.now, code, message };
    if (node === undefined) {
      this.mutableGlobal().violations.push(v);
      this.emit({ type: 'violation', visibleTo: 'god', code, text: message });
      return;
    }
    v.node = node;
    this.mutableGlobal().violations.push(v);
    const title = this.protocol.ruleTitles[code];
    const text = `${nodeName(node)} broke a rule${title ? ` (${title})` : ''}. ${message}`;
    this.emit({ type: 'violation', visibleTo: [node], node, code, text });
  }

  /**
   * Records in the god view that a voter cast a vote (or acceptance) for a value under a key, in a
   * slot. The vote that brings a box to a majority is the slot's commit point: the decree is chosen
   * there from then on, whether or not anyone knows it yet. `voterKnew` says whether the voter's own
   * tally showed it.
   */
  castVote({ slot, key, value, voter, verb, voterKnew }: CastVote): void {
    const global = this.mutableGlobal();
    const index = global.boxes.findIndex((b) => b.slot === slot && b.key === key && b.value === value);
    const old = index >= 0 ? global.boxes[index] : undefined;
    if (old?.voters.includes(voter)) return;
    const box: BallotBox = { slot, key, value, voters: [...(old?.voters ?? []), voter] };
    if (index >= 0) global.boxes[index] = box;
    else global.boxes.push(box);
    if (box.voters.length !== majorityOf(this.config.nodes)) return;
    // Paxos may gather a second majority on a later ballot; only the same value can, and it changes nothing.
    if (global.chosen.some((c) => c.slot === slot && c.decree === value)) return;
    const knew = voterKnew(box.voters);
    this.recordChosen(
      { slot, decree: value, step: this.world.step, tick: this.now, node: voter, nodeKnew: knew, voters: box.voters },
      `Commit point: ${value} became chosen${this.inSlot(slot)} when ${nodeName(voter)} ${verb}, making a majority of ${box.voters.length}. ${nodeName(voter)} ${knew ? 'could tell from its own tally' : 'did not know it'}.`,
    );
  }

  /** " in slot 3" for a protocol that decides a log; nothing for a single decree. */
  inSlot(slot: Slot): string {
    const name = this.protocol.present.slotName?.(slot);
    return name ? ` in ${name}` : '';
  }

  /** The god view's record that a decree is chosen in a slot from this step on. */
  recordChosen(point: CommitPoint, text: string): void {
    this.mutableGlobal().chosen.push(point);
    this.emit({ type: 'chosen', visibleTo: 'god', node: point.node, slot: point.slot, decree: point.decree, text });
  }
}

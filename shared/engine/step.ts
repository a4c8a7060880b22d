import { protocolFor } from '../protocols';
import { StepContext } from './context';
import { MAX_DECREE_LENGTH, MAX_DELAY_TICKS } from './limits';
import { listNames, nodeName } from './names';
import type { Local, Protocol } from './protocol';
import { rejection } from './rejections';
import type { Command, Message, NodeId, Rejection, StepResult, World } from './types';

export { MAX_DECREE_LENGTH, MAX_DELAY_TICKS } from './limits';

export function localOf(world: World, id: NodeId): Local {
  const node = world.nodes[id];
  if (!node) throw new Error(`no node ${id}`);
  return { now: world.tick, config: world.config, node };
}

/**
 * The only way a world changes. Returns the next world and what happened, or a rejection;
 * a rejected command leaves the world exactly as it was. Pure: the same world and command
 * always give the same result.
 */
export function step(world: World, command: Command): StepResult {
  const protocol = protocolFor(world.config.protocol);
  const refused = checkCommand(world, command, protocol);
  if (refused && !(refused.rule && world.config.settings.sandbox)) return { ok: false, rejection: refused };

  const ctx = new StepContext(world, protocol);
  if (refused) ctx.violation(refused.code, refused.message, command.type === 'act' ? command.node : undefined);
  applyCommand(ctx, command, protocol);
  ctx.world.step = world.step + 1;
  ctx.world.rng = ctx.rng.state();
  return { ok: true, world: ctx.world, events: ctx.events };
}

function findInFlight(world: World, id: number): Message | undefined {
  return world.inFlight.find((m) => m.id === id);
}

function validNode(world: World, id: unknown): id is NodeId {
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 && id < world.config.nodes;
}

/** Everything that makes a command impossible or illegal, before anything changes. */
export function checkCommand(world: World, command: Command, protocol: Protocol): Rejection | null {
  if (typeof command !== 'object' || command === null) return unknownCommand(command);
  switch (command.type) {
    case 'act': {
      if (!validNode(world, command.node)) return rejection('unknown-node', 'There is no such node in this round.');
      const node = world.nodes[command.node]!;
      if (node.crashed) {
        return rejection('node-crashed', `${nodeName(node.id)} is down. A crashed node can do nothing until it recovers.`);
      }
      return protocol.check(localOf(world, command.node), command.action);
    }
    case 'tick':
    case 'heal':
      return null;
    case 'deliver':
    case 'drop':
    case 'duplicate':
      return findInFlight(world, command.id)
        ? null
        : rejection('no-such-message', 'That message is not in flight any more: it was delivered, dropped or never sent.');
    case 'delay':
      if (!findInFlight(world, command.id)) {
        return rejection('no-such-message', 'That message is not in flight any more: it was delivered, dropped or never sent.');
      }
      if (!Number.isInteger(command.ticks) || command.ticks < 1 || command.ticks > MAX_DELAY_TICKS) {
        return rejection('bad-delay', `A delay is a whole number of ticks from 1 to ${MAX_DELAY_TICKS}.`);
      }
      return null;
    case 'crash':
      if (!validNode(world, command.node)) return rejection('unknown-node', 'There is no such node in this round.');
      return world.nodes[command.node]!.crashed
        ? rejection('already-crashed', `${nodeName(command.node)} is already down; recover it first.`)
        : null;
    case 'recover':
      if (!validNode(world, command.node)) return rejection('unknown-node', 'There is no such node in this round.');
      return world.nodes[command.node]!.crashed ? null : rejection('not-crashed', `${nodeName(command.node)} is up and running, so there is nothing to recover.`);
    case 'partition': {
      const seen = new Set<NodeId>();
      for (const group of command.groups) {
        for (const id of group) {
          if (!validNode(world, id)) return rejection('unknown-node', 'A partition names a node that is not in this round.');
          if (seen.has(id)) return rejection('bad-partition', `${nodeName(id)} appears in two groups of the partition.`);
          seen.add(id);
        }
      }
      const groups = command.groups.filter((g) => g.length > 0).length + (seen.size < world.config.nodes ? 1 : 0);
      return groups >= 2 ? null : rejection('bad-partition', 'A partition needs at least two groups of nodes.');
    }
    case 'propose': {
      if (!validNode(world, command.node)) return rejection('unknown-node', 'There is no such node in this round.');
      const decree = command.decree;
      if (typeof decree !== 'string' || decree.trim().length === 0 || decree.length > MAX_DECREE_LENGTH) {
        return rejection('bad-decree', `A decree is a short text of 1 to ${MAX_DECREE_LENGTH} characters.`);
      }
      if (world.nodes[command.node]!.crashed) {
        return rejection('node-crashed', `${nodeName(command.node)} is down: a client's request to it gets no answer.`);
      }
      return null;
    }
    default:
      return unknownCommand(command);
  }
}

/** Commands may come from a file or a caller that skipped the schema: what the engine does not know, it refuses. */
function unknownCommand(command: unknown): Rejection {
  const type = typeof command === 'object' && command !== null ? (command as { type?: unknown }).type : undefined;
  const named = typeof type === 'string' ? `"${type.slice(0, 40)}"` : 'without a type';
  return rejection(
    'unknown-command',
    `There is no command ${named}: the engine knows act, tick, deliver, drop, delay, duplicate, crash, recover, partition, heal and propose.`,
  );
}

function applyCommand(ctx: StepContext, command: Command, protocol: Protocol): void {
  switch (command.type) {
    case 'act': {
      const who = nodeName(command.node);
      ctx.emit({
        type: 'acted',
        visibleTo: [command.node],
        node: command.node,
        action: command.action,
        text: `${who} ${protocol.describeAction(command.action, ctx.node(command.node))}.`,
      });
      protocol.apply(ctx, command.node, command.action);
      return;
    }
    case 'tick':
      return tick(ctx, protocol);
    case 'deliver': {
      const message = takeInFlight(ctx, command.id);
      return deliver(ctx, protocol, message);
    }
    case 'drop': {
      const message = takeInFlight(ctx, command.id);
      ctx.emit({
        type: 'dropped',
        visibleTo: 'god',
        message,
        text: `The network dropped ${protocol.label(message.payload)} from ${nodeName(message.from)} to ${nodeName(message.to)}.`,
      });
      return;
    }
    case 'delay': {
      const inFlight = ctx.mutableInFlight();
      const index = inFlight.findIndex((m) => m.id === command.id);
      const message = { ...inFlight[index]!, deliverAt: inFlight[index]!.deliverAt + command.ticks };
      inFlight[index] = message;
      ctx.emit({
        type: 'delayed',
        visibleTo: 'god',
        message,
        text: `The network delayed ${protocol.label(message.payload)} to ${nodeName(message.to)} by ${command.ticks} ticks.`,
      });
      return;
    }
    case 'duplicate': {
      const original = findInFlight(ctx.world, command.id)!;
      const copy: Message = {
        ...original,
        id: ctx.world.nextMessageId,
        deliverAt: Math.max(original.deliverAt, ctx.now + 1) + ctx.rng.int(0, ctx.config.settings.latencyMax),
      };
      ctx.world.nextMessageId += 1;
      ctx.mutableInFlight().push(copy);
      ctx.emit({
        type: 'duplicated',
        visibleTo: 'god',
        message: copy,
        original: original.id,
        text: `The network duplicated ${protocol.label(original.payload)} to ${nodeName(original.to)}.`,
      });
      return;
    }
    case 'crash': {
      const id = command.node;
      ctx.updateNode(id, { crashed: true, volatile: protocol.initVolatile(ctx.config, id), inbox: [], timers: [] });
      ctx.mutableGlobal().downtime.push({ node: id, from: ctx.now, to: null });
      ctx.emit({
        type: 'crashed',
        // Other nodes cannot tell a crashed node from a slow one: only the node itself learns of it.
        visibleTo: [id],
        node: id,
        text: `${nodeName(id)} crashed. It keeps what it wrote to disk and forgets everything else.`,
      });
      return;
    }
    case 'recover': {
      const id = command.node;
      ctx.updateNode(id, { crashed: false, volatile: protocol.initVolatile(ctx.config, id), inbox: [], timers: [] });
      const downtime = ctx.mutableGlobal().downtime;
      const down = downtime.findIndex((d) => d.node === id && d.to === null);
      if (down >= 0) downtime[down] = { ...downtime[down]!, to: ctx.now };
      ctx.emit({
        type: 'recovered',
        visibleTo: [id],
        node: id,
        text: `${nodeName(id)} recovered and re-read its durable state.`,
      });
      protocol.onRecover(ctx, id);
      return;
    }
    case 'partition': {
      // Nodes not named in any group stay together in one extra group.
      const groups = new Array<number>(ctx.config.nodes).fill(command.groups.length);
      command.groups.forEach((group, g) => group.forEach((id) => (groups[id] = g)));
      ctx.world.partition = groups;
      const described = describeGroups(groups);
      ctx.emit({ type: 'partitioned', visibleTo: 'god', groups, text: `The network split into ${described}.` });
      return;
    }
    case 'heal':
      ctx.world.partition = null;
      ctx.emit({ type: 'healed', visibleTo: 'god', text: 'The network healed: every node can reach every other.' });
      return;
    case 'propose': {
      const decree = command.decree.trim();
      if (!ctx.world.proposed.includes(decree)) ctx.world.proposed = [...ctx.world.proposed, decree];
      ctx.emit({
        type: 'proposed',
        visibleTo: [command.node],
        node: command.node,
        decree,
        text: `A client asked ${nodeName(command.node)} to get "${decree}" decided.`,
      });
      protocol.onPropose(ctx, command.node, decree);
      return;
    }
  }
}

function describeGroups(groups: number[]): string {
  const byGroup = new Map<number, NodeId[]>();
  groups.forEach((g, id) => byGroup.set(g, [...(byGroup.get(g) ?? []), id]));
  return [...byGroup.values()].map((ids) => `{${listNames(ids)}}`).join(' and ');
}

function takeInFlight(ctx: StepContext, id: number): Message {
  const inFlight = ctx.mutableInFlight();
  const index = inFlight.findIndex((m) => m.id === id);
  const [message] = inFlight.splice(index, 1);
  return message!;
}

/**
 * One tick of the clock: every message due by now arrives, oldest first; then every timer due by now
 * fires, node by node in id order (a message that arrives in time, such as a heartbeat, can still
 * set its timer again before it fires).
 */
function tick(ctx: StepContext, protocol: Protocol): void {
  ctx.world.tick += 1;
  const now = ctx.world.tick;
  const pending = ctx.world.inFlight;
  let due: Message[] | null = null;
  let rest: Message[] | null = null;
  for (let i = 0; i < pending.length; i++) {
    const m = pending[i]!;
    if (m.deliverAt <= now) {
      // The first one due: those before it stay in flight.
      if (due === null) {
        due = [];
        rest = pending.slice(0, i);
      }
      // Oldest first (by due tick, then id), kept in order as they come: a few at a time, so a plain insertion.
      let at = due.length;
      while (at > 0 && (due[at - 1]!.deliverAt > m.deliverAt || (due[at - 1]!.deliverAt === m.deliverAt && due[at - 1]!.id > m.id))) at--;
      if (at === due.length) due.push(m);
      else due.splice(at, 0, m);
    } else if (rest !== null) rest.push(m);
  }
  if (due) {
    ctx.world.inFlight = rest!;
    for (const message of due) deliver(ctx, protocol, message);
  }
  // Most ticks fire nothing, and look at no node to know it.
  const next = ctx.world.nextTimerAt;
  if (next === null || next > now || ctx.config.settings.noTimeouts === true) return;
  const nodes = ctx.world.nodes;
  for (let id = 0; id < nodes.length; id++) {
    const soonest = nodes[id]!.timers[0];
    if (soonest !== undefined && soonest.firesAt <= now) fireTimers(ctx, protocol, id, now);
  }
  // Once they have fired (and perhaps set timers again, on any node), the soonest that still runs.
  let soonest: number | null = null;
  for (const node of nodes) {
    const t = node.timers[0];
    if (t !== undefined && (soonest === null || t.firesAt < soonest)) soonest = t.firesAt;
  }
  ctx.world.nextTimerAt = soonest;
}

/** The node's timers due by now fire, soonest first; a timeout may set timers again, never for this tick. */
function fireTimers(ctx: StepContext, protocol: Protocol, id: NodeId, now: number): void {
  for (;;) {
    const node = ctx.world.nodes[id]!;
    const timer = node.timers[0];
    if (node.crashed || !timer || timer.firesAt > now) return;
    ctx.setTimers(id, node.timers.slice(1));
    const rule = protocol.timerRule(timer.name);
    if (!rule) continue;
    ctx.emit({
      type: 'timeout',
      visibleTo: [id],
      node: id,
      timer: timer.name,
      text: `${nodeName(id)}'s ${rule.title} fired: ${rule.fired(node)}.`,
    });
    rule.onTimeout(ctx, id);
  }
}

/** "ACCEPT 4.B slot 2 'X' from B to C": a message's way, for a loss. */
function routeWords(label: string, message: Message): string {
  return `${label} from ${nodeName(message.from)} to ${nodeName(message.to)}`;
}

function deliver(ctx: StepContext, protocol: Protocol, message: Message): void {
  const to = ctx.node(message.to);
  const label = protocol.label(message.payload);
  if (to.crashed) {
    ctx.emit({ type: 'lost', visibleTo: 'god', message, text: `${routeWords(label, message)} was lost: ${nodeName(to.id)} is down.` });
    return;
  }
  const groups = ctx.world.partition;
  if (groups && groups[message.from] !== groups[message.to]) {
    ctx.emit({ type: 'lost', visibleTo: 'god', message, text: `${routeWords(label, message)} was lost at the partition.` });
    return;
  }
  ctx.emit({
    type: 'delivered',
    visibleTo: [message.to],
    node: message.to,
    message,
    text: `${nodeName(message.to)} received ${label} from ${nodeName(message.from)}.`,
  });
  if (protocol.onDeliver(ctx, message.to, message)) ctx.addToInbox(message.to, message);
}

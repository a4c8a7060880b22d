/**
 * The Colyseus side of the classroom and solo rooms: connections in, effects out. What a room does
 * is its core's (server/core/room.ts); this class maps Colyseus clients to the core's members, hands
 * it every frame (through ./gate.ts) and every join, drop and leave, and carries out the effects it
 * returns: messages, timers, reconnection windows, disconnections, closing.
 */
import { CloseCode, Room, ServerError, type Client, type Deferred } from '@colyseus/core';
import type { ServerMessages } from '../shared/wire/messages';
import { registry } from './context';
import { JOIN_REFUSALS, type Effect, type Joined, type MemberId, type TimerName } from './core/effects';
import type { Incoming, RoomCore } from './core/room';
import { installGate } from './gate';
import type { Registry } from './registry';

/** The close code a kicked student's connection gets. */
const KICKED = 4003;

export abstract class GameRoom extends Room {
  protected reg!: Registry;
  protected core!: RoomCore;
  /**
   * The rooms keep no synchronized schema state (each member gets its own view), so Colyseus's
   * patch interval has nothing to send; a slow one costs least (none at all would tick its clock 60 times a second).
   */
  override patchRate: number | null = 1000;
  private readonly clientOf = new Map<MemberId, Client>();
  private readonly windows = new Map<MemberId, Deferred<Client>>();
  private readonly timers = new Map<TimerName, NodeJS.Timeout>();

  /** Called from `onCreate`, once the core exists. */
  protected connect(core: RoomCore): void {
    this.reg = registry();
    this.core = core;
    installGate(this, (client, frame) => this.onFrame(client, frame), (error) => this.report(error, 'gate'));
  }

  override onUncaughtException(error: Error & { cause?: unknown }, methodName: string): void {
    // A ServerError is a refusal we meant (a taken nickname, a wrong code): the client gets it, the log does not.
    if (error.cause instanceof ServerError || error instanceof ServerError) return;
    this.report(error, methodName);
  }

  protected report(error: unknown, where: string): void {
    console.error(`[${this.roomName} ${this.roomId}] ${where}:`, error);
  }

  private memberOf(client: Client): MemberId | undefined {
    return (client.userData as { member?: MemberId } | undefined)?.member;
  }

  /** Binds a client to the member the core joined it as, then carries out the join's effects; a refusal fails the join. */
  protected admit(client: Client, joined: Joined): void {
    if (!joined.ok) throw new ServerError(JOIN_REFUSALS[joined.refusal], joined.message);
    const old = this.clientOf.get(joined.member);
    // A student back on a new connection: whatever the old one still does is nobody's.
    if (old && old !== client) old.userData = undefined;
    client.userData = { member: joined.member };
    this.clientOf.set(joined.member, client);
    this.run(joined.effects);
  }

  /** Whether the connection goes on. */
  private onFrame(client: Client, frame: Incoming): boolean {
    const member = this.memberOf(client);
    if (member === undefined) {
      if (frame.kind === 'unreadable') this.sendTo(client, 'rejected', { code: frame.code, message: frame.message });
      return true;
    }
    const effects = this.core.receive(member, frame);
    this.run(effects);
    return !effects.some((e) => e.type === 'disconnect' && e.member === member);
  }

  override onDrop(client: Client): void {
    const member = this.memberOf(client);
    if (member !== undefined && this.clientOf.get(member) === client) this.run(this.core.dropped(member));
  }

  override onReconnect(client: Client): void {
    const member = this.memberOf(client);
    if (member === undefined) return;
    this.windows.delete(member);
    this.clientOf.set(member, client);
    this.run(this.core.reconnected(member));
  }

  override onLeave(client: Client): void {
    const member = this.memberOf(client);
    if (member === undefined || this.clientOf.get(member) !== client) return;
    this.run(this.core.left(member));
    this.clientOf.delete(member);
  }

  override onBeforeShutdown(): void {
    this.run(this.core.shutDown('The server is shutting down.', 'interrupted'));
  }

  override onDispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    // A room refused at creation has no core.
    if (this.core) this.run(this.core.dispose());
  }

  // ---- Effects ----------------------------------------------------------------------------------

  protected run(effects: readonly Effect[]): void {
    for (const effect of effects) {
      try {
        this.carryOut(effect);
      } catch (error) {
        this.report(error, effect.type);
      }
    }
  }

  private carryOut(effect: Effect): void {
    switch (effect.type) {
      case 'send': {
        const client = this.clientOf.get(effect.to);
        if (client) this.sendTo(client, effect.message.type, effect.message.body);
        return;
      }
      case 'disconnect':
        if (effect.why === 'kicked') this.clientOf.get(effect.member)?.leave(KICKED, 'kicked');
        else this.clientOf.get(effect.member)?.leave(CloseCode.WITH_ERROR, 'too many messages');
        return;
      case 'reconnection':
        return this.reconnection(effect.member, effect.open);
      case 'timer':
        return this.timer(effect.timer, effect.ms, effect.repeat);
      case 'close':
        void this.disconnect(CloseCode.SERVER_SHUTDOWN).catch(() => {});
        return;
      case 'fault':
        return this.report(effect.error, effect.where);
    }
  }

  private sendTo<K extends keyof ServerMessages>(client: Client, type: K, body: ServerMessages[K]): void {
    try {
      client.send(type, body);
    } catch (error) {
      this.report(error, `send ${type}`);
    }
  }

  /** The core times reconnection windows; Colyseus keeps the seat open until told to give up. */
  private reconnection(member: MemberId, open: boolean): void {
    if (open) {
      const client = this.clientOf.get(member);
      if (!client) return;
      const window = this.allowReconnection(client, 'manual');
      // Refused (the room is going away) or given up: either way there is nothing to wait for.
      window.catch?.(() => {});
      this.windows.set(member, window);
      return;
    }
    const window = this.windows.get(member);
    this.windows.delete(member);
    window?.reject?.(false);
  }

  private timer(name: TimerName, ms: number | null, repeat: boolean): void {
    clearTimeout(this.timers.get(name));
    this.timers.delete(name);
    if (ms === null) return;
    const fire = (): void => {
      if (!repeat) this.timers.delete(name);
      this.run(this.core.fire(name));
    };
    this.timers.set(name, repeat ? setInterval(fire, ms) : setTimeout(fire, ms));
  }
}

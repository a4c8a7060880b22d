/**
 * The connection to the server: one Colyseus room, the messages of shared/wire/messages.ts in and
 * out, and the numbering of the player's actions. It knows nothing of the rules.
 */
import { Client, type Room } from '@colyseus/sdk';
import type { Action, ProtocolName } from '../../shared/engine/types';
import type {
  ClientMessageType,
  ComparisonMessage,
  GroupsMessage,
  KickedMessage,
  RejectedMessage,
  RevealMessage,
  RosterMessage,
  RoundPhase,
  ViewFrame,
  LessonMessage, ReportLineMessage,
  ViewMessage,
  WelcomeMessage,
} from '../../shared/wire/messages';
import { ROOM_CLASSROOM, ROOM_SOLO } from '../../shared/wire/messages';
import { ViewAssembler } from '../../shared/wire/viewPatch';

export interface SessionHandlers {
  welcome(message: WelcomeMessage): void;
  view(message: ViewMessage): void;
  /** Only the clock moved for this client: no new view. */
  clock(message: { tick: number; phase: RoundPhase }): void;
  rejected(message: RejectedMessage): void;
  reveal(message: RevealMessage): void;
  roster(message: RosterMessage): void;
  kicked(message: KickedMessage): void;
  closed(message: { reason: string }): void;
  /** In a class of groups: every group's summary (instructor and projector). */
  groups(message: GroupsMessage): void;
  /** Every group's round has ended: the groups compared. */
  comparison(message: ComparisonMessage): void;
  /** A student's own line of the class report. */
  reportLine(message: ReportLineMessage): void;
  lesson(message: LessonMessage): void;
  /** The connection is gone for good (not a reconnect in progress). */
  left(code: number): void;
  /** The connection dropped; the SDK is trying to get it back. */
  dropped(): void;
  reconnected(): void;
}

const SERVER_MESSAGES = ['welcome', 'view', 'clock', 'rejected', 'reveal', 'roster', 'kicked', 'closed', 'groups', 'comparison', 'reportLine', 'lesson'] as const;

/** The server is the page's own origin: `npm start` serves the client and Colyseus on one port. */
export function serverUrl(location: Location = window.location): string {
  return location.origin;
}

export class Session {
  private seq = 0;
  /** Views arrive whole or as patches against the last one. */
  private readonly views = new ViewAssembler();

  private constructor(
    readonly room: Room,
    handlers: SessionHandlers,
  ) {
    for (const type of SERVER_MESSAGES) {
      if (type === 'view') room.onMessage(type, (frame: ViewFrame) => handlers.view(this.views.accept(frame)));
      else room.onMessage(type, (payload: never) => (handlers[type] as (m: never) => void)(payload));
    }
    room.onLeave((code) => handlers.left(code));
    room.onDrop(() => handlers.dropped());
    room.onReconnect(() => handlers.reconnected());
  }

  static async solo(url: string, protocol: ProtocolName, nodes: number, handlers: SessionHandlers): Promise<Session> {
    const room = await new Client(url).create(ROOM_SOLO, { protocol, nodes });
    return new Session(room, handlers);
  }

  /** A lesson, alone: the lesson sets the round up and the server runs its script. */
  static async lesson(url: string, lesson: string, handlers: SessionHandlers): Promise<Session> {
    const room = await new Client(url).create(ROOM_SOLO, { lesson });
    return new Session(room, handlers);
  }

  /** A solo sandbox round forked from a replay (the fork id comes from POST /api/forks). */
  static async fork(url: string, fork: string, handlers: SessionHandlers): Promise<Session> {
    const room = await new Client(url).create(ROOM_SOLO, { fork });
    return new Session(room, handlers);
  }

  static async student(url: string, code: string, nickname: string, handlers: SessionHandlers): Promise<Session> {
    const room = await new Client(url).join(ROOM_CLASSROOM, { code, nickname });
    return new Session(room, handlers);
  }

  static async instructor(url: string, code: string, instructorKey: string, handlers: SessionHandlers): Promise<Session> {
    const room = await new Client(url).join(ROOM_CLASSROOM, { code, instructorKey });
    return new Session(room, handlers);
  }

  /** The projector view of a class: the instructor's key opens it, and it only looks. */
  static async screen(url: string, code: string, instructorKey: string, handlers: SessionHandlers): Promise<Session> {
    const room = await new Client(url).join(ROOM_CLASSROOM, { code, instructorKey, screen: true });
    return new Session(room, handlers);
  }

  /** Sends the player's move; returns its sequence number (each is applied at most once). */
  act(action: Action): number {
    this.seq += 1;
    this.room.send('act', { seq: this.seq, action });
    return this.seq;
  }

  /** Sends an instructor (or solo player) control message, or the projector's `selectGroup`. */
  control(type: Exclude<ClientMessageType, 'act'>, payload: object = {}): void {
    this.room.send(type, payload);
  }

  /** After a reconnect the server tells the last seq it saw; never reuse a number below it. */
  syncSeq(lastSeq: number): void {
    if (lastSeq > this.seq) this.seq = lastSeq;
  }

  async leave(): Promise<void> {
    await this.room.leave(true).catch(() => undefined);
  }
}

/** A readable sentence for a failed join, whatever the server or the network threw. */
export function joinErrorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/failed to fetch|networkerror|econnrefused|load failed/i.test(message)) return 'The server cannot be reached. Check the address and your connection.';
  return message || 'Could not join.';
}

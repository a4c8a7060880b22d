/**
 * Solo: one player and bots, no code. The player picks the protocol and N when joining and plays at
 * once; they hold node A and may also drive the round (pause, speed, inject, next round).
 */
import { ServerError, type AuthContext, type Client } from '@colyseus/core';
import { check } from '../shared/wire/schema';
import { joinOptions } from '../shared/wire/messages';
import { limitJoins, JOIN_ERRORS } from './classroom';
import { registry } from './context';
import { RoomCore } from './core/room';
import { completeSetup, DEFAULT_SETUP } from './core/round';
import { GameRoom } from './gameRoom';
import { LESSONS, lessonById } from '../shared/lessons';

type SoloOptions = { protocol?: (typeof DEFAULT_SETUP)['protocol']; nodes?: number; fork?: string; lesson?: string };

export class SoloRoom extends GameRoom {
  static override async onAuth(_token: string, options: unknown, context: AuthContext): Promise<SoloOptions> {
    limitJoins(context);
    const parsed = check(joinOptions.solo, options ?? {});
    if (!parsed.ok) throw new ServerError(JOIN_ERRORS.badOptions, `Cannot start a solo game: ${parsed.error}.`);
    if (parsed.value.lesson !== undefined && !lessonById(parsed.value.lesson)) {
      throw new ServerError(JOIN_ERRORS.badOptions, `There is no lesson "${parsed.value.lesson}": the lessons are ${LESSONS.map((l) => l.id).join(', ')}.`);
    }
    return parsed.value;
  }

  override onCreate(): void {
    this.connect(new RoomCore({ kind: 'solo', classCode: null, services: registry().services, setup: DEFAULT_SETUP }));
    this.maxClients = 1;
    void this.setPrivate(true);
  }

  override onJoin(client: Client, _options: unknown, auth: SoloOptions | undefined): void {
    if (this.core.hasPlayer) throw new ServerError(JOIN_ERRORS.wrongRoom, 'A solo game has one player.');
    const fork = auth?.fork === undefined ? undefined : this.reg.takeFork(auth.fork);
    if (fork === null) throw new ServerError(JOIN_ERRORS.badOptions, 'That fork has already started or expired: fork the replay again.');
    // A lesson sets its own round up: its protocol, its N, and the seat its player holds.
    const lesson = fork || auth?.lesson === undefined ? null : lessonById(auth.lesson);
    const protocol = fork?.config.protocol ?? lesson?.setup.protocol ?? auth?.protocol ?? DEFAULT_SETUP.protocol;
    const nodes = fork?.config.nodes ?? lesson?.setup.nodes ?? auth?.nodes ?? DEFAULT_SETUP.nodes;
    const seats = fork ? [] : [lesson?.setup.player ?? 0];
    // A fork is a sandbox round the player drives from above (the god view, every control), with bots on every seat.
    const setup = completeSetup({ protocol, nodes, studentSeats: seats, sandbox: fork ? true : undefined }, DEFAULT_SETUP, lesson !== null || fork !== undefined);
    if (typeof setup === 'string') throw new ServerError(JOIN_ERRORS.badOptions, setup);
    this.admit(client, this.core.joinSolo(client.sessionId, setup, fork, lesson));
  }
}

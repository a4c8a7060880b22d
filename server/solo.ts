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

type SoloOptions = { protocol?: (typeof DEFAULT_SETUP)['protocol']; nodes?: number; fork?: string };

export class SoloRoom extends GameRoom {
  static override async onAuth(_token: string, options: unknown, context: AuthContext): Promise<SoloOptions> {
    limitJoins(context);
    const parsed = check(joinOptions.solo, options ?? {});
    if (!parsed.ok) throw new ServerError(JOIN_ERRORS.badOptions, `Cannot start a solo game: ${parsed.error}.`);
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
    const protocol = fork?.config.protocol ?? auth?.protocol ?? DEFAULT_SETUP.protocol;
    const nodes = fork?.config.nodes ?? auth?.nodes ?? DEFAULT_SETUP.nodes;
    // A fork is a sandbox round the player drives from above (the god view, every control), with bots on every seat.
    const setup = completeSetup({ protocol, nodes, studentSeats: fork ? [] : [0], sandbox: fork ? true : undefined }, DEFAULT_SETUP);
    if (typeof setup === 'string') throw new ServerError(JOIN_ERRORS.badOptions, setup);
    this.admit(client, this.core.joinSolo(client.sessionId, setup, fork));
  }
}

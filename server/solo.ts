/**
 * Solo: one player and bots, no code. The player picks the protocol and N when joining and plays at
 * once; they hold node A and may also drive the round (pause, speed, inject, next round).
 */
import { ServerError, type AuthContext, type Client } from '@colyseus/core';
import { check } from '../shared/wire/schema';
import { joinOptions } from '../shared/wire/messages';
import { limitJoins, JOIN_ERRORS } from './classroom';
import { GameRoom, type Member } from './gameRoom';
import { completeSetup, DEFAULT_SETUP } from './round';

type SoloOptions = { protocol?: (typeof DEFAULT_SETUP)['protocol']; nodes?: number };

export class SoloRoom extends GameRoom {
  protected override readonly handlers = {
    act: this.onAct,
    setup: this.onSetup,
    start: this.onStart,
    pause: this.onPause,
    resume: this.onResume,
    speed: this.onSpeed,
    stepOnce: this.onStepOnce,
    endRound: this.onEndRound,
    nextRound: this.onNextRound,
    inject: this.onInject,
    autopilot: this.onAutopilot,
  };

  static override async onAuth(_token: string, options: unknown, context: AuthContext): Promise<SoloOptions> {
    limitJoins(context);
    const parsed = check(joinOptions.solo, options ?? {});
    if (!parsed.ok) throw new ServerError(JOIN_ERRORS.badOptions, `Cannot start a solo game: ${parsed.error}.`);
    return parsed.value;
  }

  override onCreate(): void {
    this.installGate();
    this.maxClients = 1;
    void this.setPrivate(true);
  }

  override onJoin(client: Client, _options: unknown, auth: SoloOptions | undefined): void {
    if ([...this.members.values()].some((m) => !m.gone)) throw new ServerError(JOIN_ERRORS.wrongRoom, 'A solo game has one player.');
    const protocol = auth?.protocol ?? DEFAULT_SETUP.protocol;
    const nodes = auth?.nodes ?? DEFAULT_SETUP.nodes;
    const setup = completeSetup({ protocol, nodes, studentSeats: [0] }, DEFAULT_SETUP);
    if (typeof setup === 'string') throw new ServerError(JOIN_ERRORS.badOptions, setup);
    const member: Member = { id: client.sessionId, role: 'solo', nickname: null, node: null, client: null, connected: false, lastSeq: 0, rejections: 0, gone: false, sent: 0 };
    this.members.set(member.id, member);
    this.attach(client, member);
    this.newRound(setup);
    this.startRound();
  }
}

/**
 * The classroom: an instructor hosts with a join code, students join with the code and a nickname,
 * every student is a node, bots hold the other seats. Created only by the server (POST /api/classes);
 * the room id is the join code.
 */
import { ServerError, type AuthContext, type Client } from '@colyseus/core';
import { check } from '../shared/wire/schema';
import { joinOptions } from '../shared/wire/messages';
import { nicknamesClash, normalizeNickname, sameNickname } from '../shared/wire/nickname';
import { ADDRESS_HEADER } from './address';
import { registry } from './context';
import { GameRoom, Refusal as RefusalError, type Member } from './gameRoom';
import { DEFAULT_SETUP } from './round';
import { sameSecret } from './secrets';

/** Join error codes: the matchmaker answers with them as HTTP statuses, so they must be valid ones. */
export const JOIN_ERRORS = {
  badOptions: 400,
  wrongKey: 403,
  noSuchClass: 404,
  nicknameTaken: 409,
  wrongRoom: 410,
  tooManyJoins: 429,
} as const;

export interface ClassroomCreateOptions {
  code: string;
  title: string;
  createToken: string;
}

type Auth = { role: 'student'; code: string; nickname: string } | { role: 'instructor'; code: string };

export function limitJoins(context: AuthContext | undefined): void {
  const address = context?.headers.get(ADDRESS_HEADER);
  if (address && !registry().joins.allow(address)) {
    throw new ServerError(JOIN_ERRORS.tooManyJoins, 'Too many join attempts from your address: wait a few seconds and try again.');
  }
}

export class ClassroomRoom extends GameRoom {
  protected override readonly handlers = {
    ...this.roundHandlers,
    closeClass: this.onCloseClass,
    moveStudent: this.onMoveStudent,
    kick: this.onKick,
  };

  private title = '';
  /** Closes the class when it has had nobody connected for `classIdleMinutes`; null while someone is connected. */
  private idleTimer: ReturnType<ClassroomRoom['clock']['setTimeout']> | null = null;

  static override async onAuth(_token: string, options: unknown, context: AuthContext): Promise<Auth> {
    limitJoins(context);
    const raw = typeof options === 'object' && options !== null ? (options as Record<string, unknown>) : {};
    // Codes are typed by people: accept any letter case. The matchmaker reads the same object next.
    if (typeof raw.code === 'string') raw.code = raw.code.trim().toUpperCase();
    const asInstructor = Object.hasOwn(raw, 'instructorKey');
    const parsed = asInstructor ? check(joinOptions.instructor, raw) : check(joinOptions.student, raw);
    if (!parsed.ok) throw new ServerError(JOIN_ERRORS.badOptions, `Cannot join: ${parsed.error}.`);
    const code = parsed.value.code;
    const live = registry().classes.get(code);
    if (!live) throw new ServerError(JOIN_ERRORS.noSuchClass, `No class is running with the code ${code}. Check the code with your instructor.`);
    if (asInstructor) {
      if (!sameSecret((parsed.value as { instructorKey: string }).instructorKey, live.instructorKey)) {
        throw new ServerError(JOIN_ERRORS.wrongKey, 'That is not the instructor key of this class.');
      }
      return { role: 'instructor', code };
    }
    const nickname = normalizeNickname((parsed.value as { nickname: string }).nickname);
    if (!nickname.ok) throw new ServerError(JOIN_ERRORS.badOptions, nickname.error);
    return { role: 'student', code, nickname: nickname.nickname };
  }

  override onCreate(options: ClassroomCreateOptions): void {
    this.reg = registry();
    if (!this.reg.consumeCreateToken(options?.createToken)) throw new ServerError(JOIN_ERRORS.badOptions, 'Classes are created with POST /api/classes.');
    this.installGate();
    this.roomId = options.code;
    this.classCode = options.code;
    this.title = options.title;
    // The class lives until the instructor closes it, or until nobody has been connected for a long while.
    this.autoDispose = false;
    this.newRound(DEFAULT_SETUP);
    this.connectionsChanged();
  }

  /** Times the class's idleness with the room's clock: from the moment the last person disconnects until someone connects. */
  protected override connectionsChanged(): void {
    if (this.anyoneConnected) {
      this.idleTimer?.clear();
      this.idleTimer = null;
      return;
    }
    if (this.idleTimer) return;
    const minutes = this.reg.config.classIdleMinutes;
    this.idleTimer = this.clock.setTimeout(() => {
      this.idleTimer = null;
      if (this.anyoneConnected) return;
      void this.closeRoom(`Nobody was connected to this class for ${idleSpan(minutes)}, so it was closed.`, 'finished');
    }, minutes * 60_000);
  }

  override onJoin(client: Client, _options: unknown, auth: Auth): void {
    if (!auth || auth.code !== this.classCode) throw new ServerError(JOIN_ERRORS.wrongRoom, 'That join code belongs to another class.');
    if (auth.role === 'instructor') {
      const member = this.newMember(client.sessionId, 'instructor', null);
      this.attach(client, member);
      this.welcome(member);
      this.sendView(member, []);
      if (this.round.phase === 'ended') this.sendReveal(member);
      this.sendRoster();
      return;
    }
    // Nicknames that could be taken for each other clash: a class holds one of them.
    const taken = [...this.members.values()].find((m) => m.nickname !== null && nicknamesClash(m.nickname, auth.nickname));
    let member: Member;
    if (taken && !taken.connected && !taken.gone && sameNickname(taken.nickname!, auth.nickname)) {
      // The same student back from a reload (their reconnection token is lost): they take their node back.
      // A look-alike of their name does not.
      const old = taken.client;
      member = taken;
      this.attach(client, member);
      if (old) old.userData = undefined;
    } else if (taken) {
      throw new ServerError(JOIN_ERRORS.nicknameTaken, `The nickname "${auth.nickname}" is already taken in this class: pick another.`);
    } else {
      member = this.newMember(client.sessionId, 'student', auth.nickname);
      this.attach(client, member);
      const seat = this.freeStudentSeat();
      if (seat !== null) this.seatMember(member, seat);
    }
    this.welcome(member);
    this.sendView(member, []);
    if (this.round.phase === 'ended') this.sendReveal(member);
    this.sendRoster();
    if (this.round.persisted) this.reg.store.updatePlayers(this.round.id, this.storedPlayers());
  }

  /** The student a control message names: by look-alike skeleton, which is unique in the class. */
  private student(nickname: string): Member {
    const wanted = normalizeNickname(nickname);
    if (!wanted.ok) throw new RefusalError('no-such-student', `No student can have that nickname. ${wanted.error}`);
    const member = [...this.members.values()].find((m) => m.role === 'student' && m.nickname !== null && nicknamesClash(m.nickname, wanted.nickname));
    if (!member) throw new RefusalError('no-such-student', `No student is called "${wanted.nickname}".`);
    return member;
  }

  private onMoveStudent(_member: Member, message: { nickname: string; seat: number }): void {
    const student = this.student(message.nickname);
    if (message.seat >= this.seats.length) throw new RefusalError('bad-seat', `This round has seats 0 to ${this.seats.length - 1}.`);
    if (student.node === message.seat) return;
    const seat = this.seats[message.seat]!;
    if (seat.holder === 'student') throw new RefusalError('seat-taken', `Seat ${message.seat} is held by another student.`);
    this.seatMember(student, message.seat);
    this.fillSeats();
    this.welcome(student);
    this.sendView(student, []);
    this.sendRoster();
  }

  private onKick(_member: Member, message: { nickname: string; reason: string }): void {
    const student = this.student(message.nickname);
    const reason = message.reason.trim() || 'The instructor removed you from the class.';
    this.tell(student, 'kicked', { reason });
    const client = student.client;
    this.removeMember(student);
    client?.leave(4003, 'kicked');
  }

  private onCloseClass(): void {
    void this.closeRoom('The instructor closed the class.', 'finished');
  }

  protected override afterMemberRemoved(): void {
    if (this.round.persisted) this.reg.store.updatePlayers(this.round.id, this.storedPlayers());
  }

  override onDispose(): void {
    super.onDispose();
    if (this.classCode === null) return;
    this.reg.classes.delete(this.classCode ?? '');
    this.reg.store.closeClass(this.classCode ?? '', new Date().toISOString());
  }

  get classTitle(): string {
    return this.title;
  }
}

/** "4 hours", "90 minutes", "20 seconds": a span of minutes in words. */
function idleSpan(minutes: number): string {
  if (minutes >= 120 && Number.isInteger(minutes / 60)) return `${minutes / 60} hours`;
  if (minutes >= 1) return `${Math.round(minutes)} minute${Math.round(minutes) === 1 ? '' : 's'}`;
  return `${Math.max(1, Math.round(minutes * 60))} seconds`;
}

/**
 * The classroom: an instructor hosts with a join code, students join with the code and a nickname,
 * every student is a node, bots hold the other seats. Created only by the server (POST /api/classes);
 * the room id is the join code.
 */
import { ServerError, type AuthContext, type Client } from '@colyseus/core';
import { check } from '../shared/wire/schema';
import { joinOptions } from '../shared/wire/messages';
import { normalizeNickname } from '../shared/wire/nickname';
import { ADDRESS_HEADER } from './address';
import { registry } from './context';
import { JOIN_REFUSALS } from './core/effects';
import { RoomCore } from './core/room';
import { DEFAULT_SETUP } from './core/round';
import { GameRoom } from './gameRoom';
import { sameSecret } from './secrets';

/** Join error codes: the matchmaker answers with them as HTTP statuses, so they must be valid ones. */
export const JOIN_ERRORS = JOIN_REFUSALS;

export interface ClassroomCreateOptions {
  code: string;
  title: string;
  createToken: string;
}

type Auth = { role: 'student'; code: string; nickname: string } | { role: 'instructor' | 'screen'; code: string };

export function limitJoins(context: AuthContext | undefined): void {
  const address = context?.headers.get(ADDRESS_HEADER);
  if (address && !registry().joins.allow(address)) {
    throw new ServerError(JOIN_ERRORS.tooManyJoins, 'Too many join attempts from your address: wait a few seconds and try again.');
  }
}

export class ClassroomRoom extends GameRoom {
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
      return { role: (parsed.value as { screen?: boolean }).screen ? 'screen' : 'instructor', code };
    }
    const nickname = normalizeNickname((parsed.value as { nickname: string }).nickname);
    if (!nickname.ok) throw new ServerError(JOIN_ERRORS.badOptions, nickname.error);
    return { role: 'student', code, nickname: nickname.nickname };
  }

  override onCreate(options: ClassroomCreateOptions): void {
    const reg = registry();
    if (!reg.consumeCreateToken(options?.createToken)) throw new ServerError(JOIN_ERRORS.badOptions, 'Classes are created with POST /api/classes.');
    this.roomId = options.code;
    // The class lives until the instructor closes it, or until nobody has been connected for a long while.
    this.autoDispose = false;
    const classTitle = reg.classes.get(options.code)?.title ?? '';
    this.connect(new RoomCore({ kind: 'classroom', classCode: options.code, classTitle, services: reg.services, setup: DEFAULT_SETUP }));
    this.run(this.core.open());
  }

  override onJoin(client: Client, _options: unknown, auth: Auth): void {
    if (!auth || auth.code !== this.roomId) throw new ServerError(JOIN_ERRORS.wrongRoom, 'That join code belongs to another class.');
    this.admit(client, this.core.join(client.sessionId, auth.role === 'student' ? { role: 'student', nickname: auth.nickname } : { role: auth.role }));
  }

  override onDispose(): void {
    super.onDispose();
    if (this.core) this.reg.classes.delete(this.roomId);
  }
}

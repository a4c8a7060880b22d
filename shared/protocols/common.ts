import type { Local } from '../engine/protocol';
import { rejection } from '../engine/rejections';
import type { InboxEntry, Rejection } from '../engine/types';
import { int, object, str, literal, type Schema } from '../wire/schema';

export const MESSAGE_ID = int(1, 2 ** 31);
export const DECREE = str(1, 24);

/** Schema of an action that answers one inbox message: `{kind, msg}`. */
export function answerSchema<K extends string>(kind: K): Schema<{ kind: K; msg: number }> {
  return object({ kind: literal(kind), msg: MESSAGE_ID });
}

/** The inbox message an action answers, or the rejection when it is not there or of the wrong kind. */
export function pending(local: Local, msg: unknown, kinds: readonly string[]): InboxEntry | Rejection {
  const entry = local.node.inbox.find((m) => m.id === msg);
  if (!entry) {
    return rejection('not-in-inbox', 'That message is not waiting in your inbox: it was already answered, or never reached you.');
  }
  if (!kinds.includes(entry.payload.kind)) {
    return rejection('wrong-message', `That answer does not fit a ${entry.payload.kind.toUpperCase()} message.`);
  }
  return entry;
}

export function isRejection(x: InboxEntry | Rejection): x is Rejection {
  return 'rule' in x;
}

/** Adds a value to a list unless present, returning the same list when nothing changes. */
export function withItem<T>(list: readonly T[], item: T): T[] {
  return list.includes(item) ? (list as T[]) : [...list, item];
}

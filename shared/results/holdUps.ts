/**
 * Who holds up their group: students with a message waiting for their answer for a long time. A
 * message that waits for a node's answer sits in its inbox, which keeps the tick it was delivered
 * (`InboxEntry.deliveredAt`); the wait is the world's tick count since then, so a paused round's
 * waits stand still with its clock.
 */
import type { NodeId, World } from '../engine/types';
import { protocolFor } from '../protocols';

/** How long a message may wait for a student's answer before the instructor is told, in ticks. */
export const HOLD_UP_TICKS = 60;

export interface HoldUp {
  node: NodeId;
  nickname: string;
  /** The message that has waited longest. */
  messageId: number;
  kind: string;
  /** The protocol's word for its kind: "PREPARE". */
  word: string;
  deliveredAt: number;
  /** Ticks it has waited. */
  ticks: number;
  /** Messages waiting in that inbox, this one included. */
  waiting: number;
  /** "Ada has had a PREPARE waiting for 60 ticks". */
  text: string;
}

const article = (word: string): string => (/^[AEIO]/i.test(word) ? 'an' : 'a');

/**
 * The student-held nodes of a world with a message that has waited at least `threshold` ticks for
 * their answer, longest wait first. `students` maps each node a student holds to their nickname;
 * bots hold the rest, and a bot is never a hold-up.
 */
export function holdUps(world: World, students: ReadonlyMap<NodeId, string>, threshold = HOLD_UP_TICKS): HoldUp[] {
  const present = protocolFor(world.config.protocol).present;
  const looks = present.messages as Record<string, { short: string } | undefined>;
  const found: HoldUp[] = [];
  for (const [node, nickname] of students) {
    const inbox = world.nodes[node]?.inbox ?? [];
    if (inbox.length === 0) continue;
    const oldest = inbox.reduce((a, b) => (b.deliveredAt < a.deliveredAt ? b : a));
    const ticks = world.tick - oldest.deliveredAt;
    if (ticks < threshold) continue;
    const kind = oldest.payload.kind;
    const word = looks[kind]?.short ?? kind.toUpperCase();
    found.push({
      node,
      nickname,
      messageId: oldest.id,
      kind,
      word,
      deliveredAt: oldest.deliveredAt,
      ticks,
      waiting: inbox.length,
      text: `${nickname} has had ${article(word)} ${word} waiting for ${ticks} ticks`,
    });
  }
  return found.sort((a, b) => b.ticks - a.ticks || a.node - b.node);
}

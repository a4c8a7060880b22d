/** Each lesson's player, played as the lesson asks: the moves a student who follows the objectives makes. */
import { ruleBreakingActions } from '../../shared/engine/view';
import type { PlayerMoves } from '../../shared/lessons';
import { legal } from './helpers';

/** Lesson 1: the machine writes each update it is asked for, then applies what its log holds. */
export const machine = (): PlayerMoves => (_run, view) => legal(view, 'write') ?? legal(view, 'apply');
/** Lesson 3: vote for x=1, the client's update, in every slot it can: slot 1, then slot 2. */
export const logVoter = (): PlayerMoves => (_run, view) => legal(view, 'vote', (a) => a.decree === 'x=1');
/** Lesson 2: general A sends the plan (again if no answer came in 8 ticks), acknowledges the answer, waits 8 ticks more, then orders the attack. */
export function generalA(): PlayerMoves {
  let sentAt = -1;
  let answeredAt = -1;
  return (_run, view) => {
    const d = view.self.durable as { heard: number; sent: number; attack: boolean };
    if (d.heard === 0) {
      if (sentAt >= 0 && view.now - sentAt < 8) return null;
      sentAt = view.now;
      return legal(view, 'plan');
    }
    if (d.sent < 3) {
      answeredAt = view.now;
      return legal(view, 'ack');
    }
    return !d.attack && view.now - answeredAt >= 8 ? legal(view, 'attack') : null;
  };
}

/** Lesson 4: the coordinator begins, then commits once every YES is in. */
export const coordinator = (): PlayerMoves => (_run, view) => legal(view, 'prepare') ?? legal(view, 'decide', (a) => a.outcome === 'commit');

/** Lesson 5: a participant votes YES, then, once the coordinator has gone quiet (crashed), asks the others once. */
export function participant(): PlayerMoves {
  let asked = false;
  return (run, view) => {
    const yes = legal(view, 'vote', (a) => a.vote === 'yes');
    if (yes) return yes;
    const ask = legal(view, 'askPeers');
    if (ask && !asked && run.fired.some((f) => f.rule === 'crash-coordinator')) {
      asked = true;
      return ask;
    }
    return null;
  };
}

/** Lessons 7, 10, 11: vote for X as soon as it can. */
export const voteX = (): PlayerMoves => (_run, view) => legal(view, 'vote', (a) => a.decree === 'X');

/** Lesson 8: vote for X, then, once X is chosen, take the rule-breaking vote for Y. */
export const lockBreaker = (): PlayerMoves => (run, view) =>
  legal(view, 'vote', (a) => a.decree === 'X') ?? (run.current === 2 ? (ruleBreakingActions(run.world, 0).find((m) => m.action.kind === 'vote')?.action ?? null) : null);

/** Lesson 9: vote for X, and put it forward again once C is back. */
export const resender = (): PlayerMoves => (run, view) =>
  legal(view, 'vote', (a) => a.decree === 'X') ?? (run.fired.some((f) => f.rule === 'recover-c') && run.current === 2 ? legal(view, 'putForward') : null);

/** Lesson 12: one ballot, ACCEPT once it may, a higher ballot once beaten, then hold back and answer C. */
export const proposer = (): PlayerMoves => (run, view) => {
  const proposal = (view.self.volatile as { proposal: unknown }).proposal;
  if (run.current === 0) return proposal ? null : legal(view, 'prepare');
  if (run.current === 1) return legal(view, 'promise');
  if (run.current === 2) return legal(view, 'propose');
  if (run.current === 3) return legal(view, 'prepare');
  return legal(view, 'promise') ?? legal(view, 'accept') ?? legal(view, 'propose');
};

/** Lesson 6: one ballot, wait while it waits, then a higher ballot (the timeout), and ACCEPT once it may. */
export const timeoutPlayer = (): PlayerMoves => (run, view) => {
  const proposal = (view.self.volatile as { proposal: unknown }).proposal;
  if (run.current === 0) return proposal ? null : legal(view, 'prepare');
  if (run.current === 1) return null;
  if (run.current === 2) return legal(view, 'prepare');
  return legal(view, 'propose');
};

/** Lesson 13: run for leader, then, leading, give each request the next free slot; answer whatever comes. */
export const leader = (): PlayerMoves => (_run, view) => legal(view, 'elect') ?? legal(view, 'promise') ?? legal(view, 'accept') ?? legal(view, 'propose');

/**
 * Lesson 14: follow A (promise, accept); once A has crashed, run for leader as soon as the leader
 * timer lets it, before answering anyone, then answer every ballot and slot, and run again if its
 * timer fires with no leader.
 */
export const naiveRunner = (): PlayerMoves => (run, view) => {
  const crashed = run.fired.some((f) => f.rule === 'crash-leader');
  const ran = (view.self.durable as { maxUsed: number }).maxUsed > 0;
  if (crashed && !ran) return legal(view, 'elect');
  return legal(view, 'promise') ?? legal(view, 'accept') ?? legal(view, 'propose') ?? (crashed ? legal(view, 'elect') : null);
};

/**
 * Lesson 15: a Raft server as Raft plays it: stand for election once its timer fired, answer every
 * message as Raft does, and, leading, append, send entries and commit.
 */
export const raftServer = (): PlayerMoves => (_run, view) =>
  legal(view, 'startElection') ?? legal(view, 'answerAll') ?? legal(view, 'grant') ?? legal(view, 'accept') ?? legal(view, 'refuse') ?? legal(view, 'commit') ?? legal(view, 'append') ?? legal(view, 'replicateAll');

/** The player of each playable lesson, by the lesson's id. */
export const PLAYERS: Record<string, () => PlayerMoves> = {
  'one-machine': machine,
  'one-variable-then-a-log': logVoter,
  'two-generals': generalA,
  'two-phase-commit': coordinator,
  'blocking-coordinator': participant,
  'voting-is-atomic-commit': voteX,
  'locked-votes': lockBreaker,
  liveness: resender,
  'victory-gossip': voteX,
  'split-vote': voteX,
  'dueling-proposers': proposer,
  flp: timeoutPlayer,
  'leader-serializes': leader,
  'electing-leader': naiveRunner,
  raft: raftServer,
};

/**
 * The room swarm in the test suite: a thousand seeds of a class driven through the room core, with
 * every check holding and every registered protocol played; and the checks do catch a server that
 * leaks, loses a frame or misplaces a seat.
 */
import { describe, expect, it } from 'vitest';
import type { Effect } from '../../server/core/effects';
import { runRoomSeed, runRoomSwarm } from '../../server/sim/roomSwarm';
import { protocolFor, protocolNames } from '../../shared/protocols';
import type { ViewFrame } from '../../shared/wire/messages';

/** The instructor joins first: every other member is a student. */
const INSTRUCTOR = 's1';

describe('the room swarm', () => {
  it('holds every check over 1,000 seeds, and the seeds reach every part of the room', () => {
    const run = runRoomSwarm(1000);
    expect(run.violations).toEqual([]);
    const c = run.counts;
    for (const what of ['joins', 'leaves', 'drops', 'reconnects', 'rejoins', 'windows closed', 'kicks', 'faults', 'store failures']) expect(c[what], what).toBeGreaterThan(20);
    expect(c['rounds started']).toBeGreaterThan(500);
    expect(c['classes of several groups']).toBeGreaterThan(100);
    expect(c['acts acknowledged']).toBeGreaterThan(1000);
    expect(c['node views checked']).toBeGreaterThan(50_000);
    // Its classes play every registered protocol.
    for (const protocol of protocolNames().filter((p) => !protocolFor(p).lessonOnly)) expect(c[`${protocol} rounds`], protocol).toBeGreaterThan(200);
  }, 120_000);

  const tampered = (tamper: (effect: Effect) => Effect): string[] => {
    const codes = new Set<string>();
    for (let seed = 0; seed < 40 && codes.size === 0; seed++) for (const v of runRoomSeed(seed, { tamper }).violations) codes.add(v.code);
    return [...codes];
  };
  const toStudent = (effect: Effect, type: string): boolean => effect.type === 'send' && effect.to !== INSTRUCTOR && effect.message.type === type;

  it('catches the contents of a message between others in a student\'s view', () => {
    const leak = (effect: Effect): Effect => {
      if (!toStudent(effect, 'view') || effect.type !== 'send') return effect;
      const frame = effect.message.body as ViewFrame;
      const reveal = <T extends { payload: unknown }>(m: T): T => (m.payload === null ? { ...m, payload: { kind: 'secret' } } : m);
      const body = frame.view?.kind === 'node' ? { ...frame, view: { ...frame.view, inFlight: frame.view.inFlight.map(reveal) } } : { ...frame, ...(frame.patch ? { patch: { ...frame.patch, add: frame.patch.add?.map(reveal) } } : {}) };
      return { ...effect, message: { type: 'view', body } as typeof effect.message };
    };
    expect(tampered(leak)).toContain('leak-message');
  });

  it('catches a lost view: the student\'s picture no longer matches the world', () => {
    let n = 0;
    // Every seventh patch goes nowhere.
    const lose = (effect: Effect): Effect =>
      toStudent(effect, 'view') && effect.type === 'send' && (effect.message.body as ViewFrame).patch && ++n % 7 === 0 ? { ...effect, to: 'nobody' } : effect;
    expect(tampered(lose).some((code) => ['node-view', 'stale-clock'].includes(code))).toBe(true);
  });

  it('catches a student welcomed to a seat they do not hold', () => {
    const misplace = (effect: Effect): Effect =>
      toStudent(effect, 'welcome') && effect.type === 'send' && effect.message.type === 'welcome' && effect.message.body.node !== null
        ? { ...effect, message: { type: 'welcome', body: { ...effect.message.body, node: effect.message.body.node + 1 } } }
        : effect;
    expect(tampered(misplace).some((code) => ['welcome-seat', 'leak-view'].includes(code))).toBe(true);
  });
});

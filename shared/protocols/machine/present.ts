/**
 * How one machine is shown: its log on disk and the state in its memory, apart, since a crash keeps
 * the one and loses the other; and the reveal's words: each update committed by its write to the log.
 */
import type { LogCell, Presentation } from '../../engine/protocol';
import { appliedFromLog, inWords, type MachineDurable, type MachinePayload, type MachineVolatile } from './state';

const listed = (updates: readonly string[]): string => (updates.length === 0 ? 'empty' : updates.join(', '));

export const machinePresentation: Presentation<MachineDurable, MachineVolatile, MachinePayload> = {
  stateLines({ durable: d, volatile: v, crashed }) {
    const lines = [`log on disk: ${listed(d.log)}`];
    if (crashed) {
      lines.push('memory: lost in the crash');
      return lines;
    }
    lines.push(`applied in memory: ${v.applied.length === 0 ? 'nothing' : v.applied.join(', ')}`);
    const waiting = d.log.slice(v.appliedCount);
    if (waiting.length > 0) lines.push(`logged, not yet applied: ${waiting.join(', ')}`);
    if (!appliedFromLog(d, v)) lines.push('memory holds an update its log does not: a crash would lose it');
    if (v.requests.length > 0) lines.push(`asked for, not yet written: ${v.requests.join(', ')}`);
    return lines;
  },

  summaryLines({ durable: d, volatile: v, crashed }) {
    const lines = [`log: ${listed(d.log)}`];
    if (!crashed) lines.push(`applied: ${v.applied.length === 0 ? 'nothing' : v.applied.join(', ')}`);
    return lines;
  },

  // One machine, one role.
  showRoles: false,

  roleHint: () => 'Write each client\'s update to your log on disk first, then apply it. A crash loses your memory, never your log: on recovery you replay the log.',

  messages: {},

  slotName: (slot) => `log entry ${slot + 1}`,

  // Writing an entry to the log commits it; it is applied once the state in memory holds it. A
  // crash loses the memory, so a crashed machine's entries are committed, none applied.
  log: {
    cells: ({ durable: d, volatile: v, crashed }) =>
      d.log.map((update, slot): LogCell => ({ slot, state: !crashed && slot < v.appliedCount ? 'applied' : 'chosen', value: update })),
    leader: () => null,
  },

  reveal: {
    outcome: (outcome) => (outcome === null ? 'Not every update a client asked for was written and applied.' : `Written and applied: ${outcome}.`),
    decidedVerb: 'committed',
    decidingEvent: (who) => `${who} wrote it to its log`,
    voters: () => '',
    noCommitPoint: () => 'Nothing was written to the log, so nothing was committed.',
    details(_config, global) {
      return global.downtime.map((d) =>
        d.to === null ? `The machine crashed at tick ${d.from} and was still down at the end.` : `The machine crashed at tick ${d.from} and came back at tick ${d.to}, replaying its log.`,
      );
    },
    decisionTick: (global) => global.chosen[0]?.tick ?? null,
    learnedLine(nodes) {
      const applied = nodes.flatMap((n) => (n.crashed ? [] : (n.volatile as MachineVolatile).applied));
      return applied.length === 0 ? 'Nothing was applied.' : `Applied in memory at the end: ${inWords(applied)}.`;
    },
    pendingOutcome: (outcome) => `${outcome} written, not yet applied`,
    groupOutcome: (facts) => (facts.outcome === null ? 'did not write and apply every update asked for' : `wrote and applied ${facts.outcome}`),
    groupDetails: () => [],
  },
};

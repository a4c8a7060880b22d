import { describe, expect, it } from 'vitest';
import { tallyWords } from '../../shared/engine/names';
import { commitPointSentence, decisionTick, detailSentences, violationSentence } from '../../shared/engine/reveal';
import { doubtSpans } from '../../shared/protocols/2pc/present';
import { worldFrom } from './helpers';
import type { GlobalState } from '../../shared/engine/types';
import type { TpcGlobal } from '../../shared/protocols/2pc';

const TPC = ['config 2pc nodes=4 seed=2 latency=1-1 timeout=10', 'propose A X', 'act A prepare decree=X', 'tick'];
const ALL_YES = [...TPC, 'act B vote msg=1 vote=yes', 'act C vote msg=2 vote=yes', 'act D vote msg=3 vote=yes', 'tick'];

describe('counts', () => {
  it('count out of every node, and say when a majority is reached', () => {
    expect(tallyWords(2, 5, 'votes')).toBe('2 of 5 votes; 3 make a majority');
    expect(tallyWords(3, 5, 'votes')).toBe('3 of 5 votes, a majority');
    expect(tallyWords(4, 5, 'votes')).toBe('4 of 5 votes, a majority');
    expect(tallyWords(3, 3, 'promises')).toBe('3 of 3 promises, a majority');
  });
});

describe('the 2PC reveal', () => {
  it('speaks of a commit by the coordinator after every YES, never of a majority', () => {
    const world = worldFrom([...ALL_YES, 'act A decide outcome=commit']);
    const sentence = commitPointSentence('2pc', world.global.chosen[0]!, undefined, 4);
    expect(sentence).toBe('X was committed when node A, the coordinator, logged COMMIT at tick 2. A knew at once. Every participant had voted YES: B, C and D.');
    expect(sentence).not.toMatch(/majority|chosen/);
  });

  it('says when a sandbox coordinator committed without every YES', () => {
    const world = worldFrom([...TPC.map((l) => (l.startsWith('config') ? `${l} sandbox` : l)), 'act B vote msg=1 vote=yes', 'tick', 'act A decide outcome=commit']);
    expect(commitPointSentence('2pc', world.global.chosen[0]!, undefined, 4)).toContain('It had a YES from only B, not from every participant');
  });

  it('after a coordinator crash, says who was in doubt and blocked, and for how long, from the round itself', () => {
    // B and C vote YES at tick 1; A crashes at tick 3 and recovers at tick 13; D never votes.
    const script = [...TPC, 'act B vote msg=1 vote=yes', 'act C vote msg=2 vote=yes', 'tick 2', 'crash A', 'tick 10', 'recover A'];
    const down = worldFrom([...script.slice(0, -1)]);
    expect(doubtSpans(down.global as GlobalState<TpcGlobal>, down.tick)).toEqual([
      { node: 1, since: 1, until: null, ticks: 12, blockedTicks: 10 },
      { node: 2, since: 1, until: null, ticks: 12, blockedTicks: 10 },
    ]);
    expect(detailSentences(down.config, down.global, down.tick)).toEqual([
      'The coordinator A crashed at tick 3 before it logged a decision, and was still down when the round ended at tick 13 (10 ticks).',
      'In doubt (voted YES, then waited for the outcome): B and C from tick 1 to the end of the round at tick 13, never learning the outcome (12 ticks each).',
      'Blocked while A was down: B and C for 10 ticks each. Having voted YES, they could neither commit nor abort on their own.',
    ]);
    // A recovers and aborts; the ABORT to B (#6) is held up 5 ticks: their doubt ends at different ticks.
    const ended = worldFrom([...script, 'act A decide outcome=abort', 'delay 6 5', 'tick', 'tick 5']);
    expect(detailSentences(ended.config, ended.global, ended.tick)).toEqual([
      'The coordinator A crashed at tick 3 before it logged a decision, and recovered at tick 13 (10 ticks down).',
      'In doubt (voted YES, then waited for the outcome): B from tick 1 to tick 19 (18 ticks) and C from tick 1 to tick 14 (13 ticks).',
      'Blocked while A was down: B and C for 10 ticks each. Having voted YES, they could neither commit nor abort on their own.',
    ]);
    expect(decisionTick(ended.config, ended.global)).toBe(13);
  });

  it('has nothing to say of doubt when nobody voted YES, and nothing at all for the other protocols', () => {
    const aborted = worldFrom([...TPC, 'act B vote msg=1 vote=no', 'tick', 'act A decide outcome=abort', 'tick']);
    expect(detailSentences(aborted.config, aborted.global, aborted.tick)).toEqual([]);
    expect(decisionTick(aborted.config, aborted.global)).toBe(2);
    const majority = worldFrom(['config majority nodes=3 latency=1-1', 'propose A X', 'act A vote decree=X', 'tick', 'act B vote decree=X']);
    expect(detailSentences(majority.config, majority.global, majority.tick)).toEqual([]);
    expect(decisionTick(majority.config, majority.global)).toBe(1);
  });
});

describe('broken rules in the reveal', () => {
  it('name the node and the rule', () => {
    const world = worldFrom(['config majority nodes=3 latency=1-1 sandbox', 'propose A X', 'propose B Y', 'act B vote decree=Y', 'tick', 'act A vote decree=X', 'act A vote decree=Y']);
    expect(violationSentence('majority', world.global.violations[0]!)).toBe(
      'tick 1: A broke a rule (a vote is locked once cast). You already voted for X, and votes are locked. If a vote could change, two different decrees could each gather a majority.',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { KeyedPool } from '../../client/src/pool';

describe('KeyedPool', () => {
  it('reuses released items instead of creating new ones', () => {
    const hidden: number[] = [];
    let next = 0;
    const pool = new KeyedPool(() => ({ n: next++ }), (item) => hidden.push(item.n));
    const a = pool.acquire(10);
    expect(a.fresh).toBe(true);
    expect(pool.acquire(10)).toEqual({ item: a.item, fresh: false });
    pool.acquire(11);
    pool.release(10);
    expect(hidden).toEqual([0]);
    const c = pool.acquire(12);
    expect(c.item).toBe(a.item);
    expect(pool.created).toBe(2);
  });

  it('releases what is no longer in flight', () => {
    const pool = new KeyedPool(() => ({}), () => undefined);
    for (const id of [1, 2, 3, 4]) pool.acquire(id);
    expect(pool.releaseExcept(new Set([2, 4])).sort()).toEqual([1, 3]);
    expect(pool.ids().sort()).toEqual([2, 4]);
    expect(pool.spares).toBe(2);
    for (let id = 5; id < 305; id++) pool.acquire(id);
    expect(pool.created).toBe(302);
  });
});

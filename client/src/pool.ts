/**
 * A pool of reusable objects keyed by id: messages come and go by the hundred, and creating a sprite
 * and a text for each would churn the garbage collector mid-round.
 */
export class KeyedPool<T> {
  private readonly live = new Map<number, T>();
  private readonly spare: T[] = [];
  created = 0;

  constructor(
    private readonly create: () => T,
    private readonly hide: (item: T) => void,
  ) {}

  /** The item for `id`, taking a spare one (or making one) the first time. */
  acquire(id: number): { item: T; fresh: boolean } {
    const existing = this.live.get(id);
    if (existing) return { item: existing, fresh: false };
    let item = this.spare.pop();
    if (!item) {
      item = this.create();
      this.created += 1;
    }
    this.live.set(id, item);
    return { item, fresh: true };
  }

  get(id: number): T | undefined {
    return this.live.get(id);
  }

  release(id: number): void {
    const item = this.live.get(id);
    if (!item) return;
    this.live.delete(id);
    this.hide(item);
    this.spare.push(item);
  }

  /** Releases every live item whose id is not in `keep`; returns the released ids. */
  releaseExcept(keep: ReadonlySet<number>): number[] {
    const gone: number[] = [];
    for (const id of this.live.keys()) if (!keep.has(id)) gone.push(id);
    for (const id of gone) this.release(id);
    return gone;
  }

  ids(): number[] {
    return [...this.live.keys()];
  }

  get size(): number {
    return this.live.size;
  }

  get spares(): number {
    return this.spare.length;
  }
}

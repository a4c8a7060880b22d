/** Builds raw client frames, well-formed or not, to send past the SDK's own encoder. */
import { encode, type Iterator } from '@colyseus/schema';
import { pack } from 'msgpackr';
import { Protocol } from '@colyseus/core';

export function dataFrame(type: string, payload?: unknown): Uint8Array {
  const header = new Uint8Array(16 + Buffer.byteLength(type) * 2);
  header[0] = Protocol.ROOM_DATA;
  const it: Iterator = { offset: 1 };
  encode.string(header as Buffer, type, it);
  const head = header.subarray(0, it.offset);
  if (payload === undefined) return head;
  const body = pack(payload);
  const frame = new Uint8Array(head.length + body.length);
  frame.set(head, 0);
  frame.set(body, head.length);
  return frame;
}

/** A seeded generator of bad frames: random bytes, random types, random payloads, truncated encodings, oversized ones. */
export class FrameFuzzer {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }

  private next(): number {
    // xorshift32
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 4294967296;
  }

  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }

  text(max: number): string {
    const n = this.int(max + 1);
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.int(3) === 0 ? this.int(0xd7ff) : 32 + this.int(95));
    return s;
  }

  value(depth = 0): unknown {
    switch (this.int(depth > 2 ? 6 : 9)) {
      case 0: return null;
      case 1: return this.int(2) === 0;
      case 2: return this.int(2 ** 31) * (this.int(2) ? 1 : -1);
      case 3: return this.next() * 1e6;
      case 4: return this.text(30);
      case 5: return this.int(10) === 0 ? this.text(1500) : this.text(8);
      case 6: return Array.from({ length: this.int(6) }, () => this.value(depth + 1));
      case 7:
      case 8: {
        const keys = ['seq', 'action', 'kind', 'node', 'command', 'type', 'id', 'speed', 'nickname', 'seat', 'reason', 'on', 'protocol', 'nodes', 'decree', '__proto__', 'constructor', this.text(6)];
        const o: Record<string, unknown> = {};
        for (let i = this.int(5); i > 0; i--) o[keys[this.int(keys.length)]!] = this.value(depth + 1);
        return o;
      }
      default: return undefined;
    }
  }

  /** One frame of a random kind, at most `cap` bytes unless it is meant to be oversized. */
  frame(cap: number, types: readonly string[]): Uint8Array {
    const kind = this.int(10);
    const type = this.int(3) === 0 ? types[this.int(types.length)]! : this.text(this.int(5) === 0 ? 600 : 12);
    switch (kind) {
      case 0: return this.bytes(1 + this.int(cap));
      case 1: {
        const f = dataFrame(type, this.value());
        return f.subarray(0, Math.max(1, this.int(f.length)));
      }
      case 2: {
        const f = dataFrame(type, this.value());
        const out = f.slice(0, Math.min(f.length, cap));
        for (let i = this.int(4); i > 0; i--) out[1 + this.int(Math.max(1, out.length - 1))] = this.int(256);
        return out;
      }
      case 3: {
        const head = dataFrame(type);
        const tail = this.bytes(this.int(cap - head.length));
        const out = new Uint8Array(head.length + tail.length);
        out.set(head, 0);
        out.set(tail, head.length);
        return out;
      }
      case 4: return new Uint8Array([Protocol.ROOM_DATA]);
      case 5: return new Uint8Array([this.int(32), ...this.bytes(this.int(20))].filter((_, i) => i > 0 || true));
      default: {
        const f = dataFrame(type, this.value());
        return f.length <= cap ? f : f.subarray(0, cap);
      }
    }
  }
}

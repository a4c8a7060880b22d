/**
 * A small validator for untrusted JSON. Each schema either returns the value, typed, or throws a
 * SchemaError whose message names the field and what was expected, in words a person can act on.
 */
export class SchemaError extends Error {}

export type Schema<T> = {
  parse(value: unknown, path?: string): T;
  describe: string;
  /**
   * Whether `parse` would take the value as it is, found without copying it or building an error:
   * for a caller that only needs to know (true means `parse` returns a value equal to it, field by
   * field). A schema without it is asked through `parse`.
   */
  accepts?(value: unknown): boolean;
};

export type Infer<S> = S extends Schema<infer T> ? T : never;

function fail(path: string, expected: string, value: unknown): never {
  const got = value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;
  throw new SchemaError(`${path || 'the message'} must be ${expected} (got ${got})`);
}

export const int = (min: number, max: number): Schema<number> => ({
  describe: `a whole number from ${min} to ${max}`,
  accepts: (value) => typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max,
  parse(value, path = '') {
    if (typeof value !== 'number' || !Number.isInteger(value)) fail(path, `a whole number`, value);
    if (value < min || value > max) throw new SchemaError(`${path} must be from ${min} to ${max} (got ${value})`);
    return value;
  },
});

export const num = (min: number, max: number): Schema<number> => ({
  describe: `a number from ${min} to ${max}`,
  accepts: (value) => typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max,
  parse(value, path = '') {
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'a number', value);
    if (value < min || value > max) throw new SchemaError(`${path} must be from ${min} to ${max} (got ${value})`);
    return value;
  },
});

export const str = (minLength: number, maxLength: number): Schema<string> => ({
  describe: `a text of ${minLength} to ${maxLength} characters`,
  accepts: (value) => typeof value === 'string' && value.length >= minLength && value.length <= maxLength,
  parse(value, path = '') {
    if (typeof value !== 'string') fail(path, 'a text', value);
    if (value.length < minLength || value.length > maxLength) {
      throw new SchemaError(`${path} must be ${minLength} to ${maxLength} characters long (got ${value.length})`);
    }
    return value;
  },
});

export const bool: Schema<boolean> = {
  describe: 'true or false',
  accepts: (value) => typeof value === 'boolean',
  parse(value, path = '') {
    if (typeof value !== 'boolean') fail(path, 'true or false', value);
    return value;
  },
};

export const literal = <T extends string>(expected: T): Schema<T> => ({
  describe: JSON.stringify(expected),
  accepts: (value) => value === expected,
  parse(value, path = '') {
    if (value !== expected) throw new SchemaError(`${path} must be ${JSON.stringify(expected)}`);
    return expected;
  },
});

export const oneOf = <T extends string>(options: readonly T[]): Schema<T> => ({
  describe: `one of ${options.join(', ')}`,
  accepts: (value) => typeof value === 'string' && (options as readonly string[]).includes(value),
  parse(value, path = '') {
    if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) {
      throw new SchemaError(`${path || 'the value'} must be one of ${options.join(', ')}`);
    }
    return value as T;
  },
});

export const list = <T>(item: Schema<T>, minLength: number, maxLength: number): Schema<T[]> => ({
  describe: `a list of ${minLength} to ${maxLength} items, each ${item.describe}`,
  accepts: (value) => Array.isArray(value) && value.length >= minLength && value.length <= maxLength && value.every((v) => item.accepts?.(v) ?? false),
  parse(value, path = '') {
    if (!Array.isArray(value)) fail(path, 'a list', value);
    if (value.length < minLength || value.length > maxLength) {
      throw new SchemaError(`${path} must hold ${minLength} to ${maxLength} items (got ${value.length})`);
    }
    return value.map((v, i) => item.parse(v, `${path}[${i}]`));
  },
});

type Shape = Record<string, Schema<unknown>>;
type ObjectOf<S extends Shape, O extends string> = { [K in Exclude<keyof S, O>]: Infer<S[K]> } & {
  [K in O & keyof S]?: Infer<S[K]>;
};

/** A plain object with exactly these fields; `optional` names the ones that may be missing. Extra fields are refused. */
export function object<S extends Shape>(shape: S): Schema<{ [K in keyof S]: Infer<S[K]> }>;
export function object<S extends Shape, O extends keyof S & string>(shape: S, optional: readonly O[]): Schema<ObjectOf<S, O>>;
export function object<S extends Shape, O extends string>(shape: S, optional: readonly O[] = []): Schema<ObjectOf<S, O>> {
  const keys = Object.keys(shape);
  const fields = keys.map((key) => ({ key, schema: shape[key]!, optional: (optional as readonly string[]).includes(key) }));
  return {
    describe: `an object with ${keys.join(', ')}`,
    accepts(value) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
      const record = value as Record<string, unknown>;
      // Every own enumerable field (what `parse` lists) is in the shape; an inherited one makes no difference to it, but is left to `parse`.
      for (const key in record) if (!Object.hasOwn(shape, key) || !Object.hasOwn(record, key)) return false;
      for (const { key, schema, optional: mayLack } of fields) {
        const field = Object.hasOwn(record, key) ? record[key] : undefined;
        if (field === undefined) {
          if (mayLack) continue;
          return false;
        }
        if (!schema.accepts?.(field)) return false;
      }
      return true;
    },
    parse(value, path = '') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object', value);
      const record = value as Record<string, unknown>;
      // Own properties only: `key in shape` would let inherited names such as "constructor" or "__proto__" through.
      for (const key of Object.keys(record)) {
        if (!Object.hasOwn(shape, key)) throw new SchemaError(`${path ? `${path} has` : 'the message has'} an unknown field "${key.slice(0, 40)}"`);
      }
      const out: Record<string, unknown> = {};
      for (const key of keys) {
        const fieldPath = path ? `${path}.${key}` : key;
        if (!Object.hasOwn(record, key) || record[key] === undefined) {
          if ((optional as readonly string[]).includes(key)) continue;
          throw new SchemaError(`${fieldPath} is missing`);
        }
        out[key] = shape[key]!.parse(record[key], fieldPath);
      }
      return out as ObjectOf<S, O>;
    },
  };
}

/** One of several object schemas, told apart by a tag field such as `kind` or `type`. */
export function tagged<T>(tag: string, variants: Record<string, Schema<T>>): Schema<T> {
  const names = Object.keys(variants);
  return {
    describe: `an object whose ${tag} is one of ${names.join(', ')}`,
    accepts(value) {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, tag)) return false;
      const name = (value as Record<string, unknown>)[tag];
      const variant = typeof name === 'string' && Object.hasOwn(variants, name) ? variants[name] : undefined;
      return variant?.accepts?.(value) ?? false;
    },
    parse(value, path = '') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object', value);
      const name = Object.hasOwn(value, tag) ? (value as Record<string, unknown>)[tag] : undefined;
      const variant = typeof name === 'string' && Object.hasOwn(variants, name) ? variants[name] : undefined;
      if (!variant) throw new SchemaError(`${path ? `${path}.` : ''}${tag} must be one of ${names.join(', ')}`);
      return variant.parse(value, path);
    },
  };
}

/** Runs a schema and returns either the value or the error sentence, never throwing. */
export function check<T>(schema: Schema<T>, value: unknown): { ok: true; value: T } | { ok: false; error: string } {
  try {
    return { ok: true, value: schema.parse(value) };
  } catch (error) {
    if (error instanceof SchemaError) return { ok: false, error: error.message };
    throw error;
  }
}

// Call-based results travel out of the sandbox as plain typed JSON (the "wire" form) and are compared
// here, on the host, against the task's expected value. Nothing the candidate defines (__eq__, toJSON,
// prototypes) takes part in the comparison.
//
// Wire form: JSON null, booleans, finite numbers and strings as themselves; everything else tagged:
//   {"$t":"list"|"tuple"|"set","v":[...]}, {"$t":"dict","v":[[k,v],...]}, {"$t":"int","v":"<digits>"},
//   {"$t":"float","v":"nan"|"inf"|"-inf"}, {"$t":"bytes","v":"<base64>"}, {"$t":"undefined"},
//   {"$t":"other","v":"<type name>: <repr>"}.
// A task's `expected` is plain JSON (arrays are sequences, objects are string-keyed dicts) and may use
// the same tags (e.g. a set).

type Canon =
  | { k: 'null' }
  | { k: 'undefined' }
  | { k: 'bool'; v: boolean }
  | { k: 'num'; v: number; big?: bigint }
  | { k: 'str'; v: string }
  | { k: 'seq'; v: Canon[] }
  | { k: 'set'; v: Canon[] }
  | { k: 'dict'; v: [Canon, Canon][] }
  | { k: 'bytes'; v: string }
  | { k: 'other'; v: string };

const MAX_DEPTH = 200;

function canon(x: unknown, depth = 0): Canon {
  if (depth > MAX_DEPTH) return { k: 'other', v: 'too deep' };
  if (x === null) return { k: 'null' };
  if (typeof x === 'boolean') return { k: 'bool', v: x };
  if (typeof x === 'number') return Number.isInteger(x) ? { k: 'num', v: x, big: BigInt(x) } : { k: 'num', v: x };
  if (typeof x === 'string') return { k: 'str', v: x };
  if (Array.isArray(x)) return { k: 'seq', v: x.map((e) => canon(e, depth + 1)) };
  if (typeof x === 'object') {
    const o = x as Record<string, unknown>;
    const t = o['$t'];
    if (typeof t === 'string') {
      const v = o['v'];
      switch (t) {
        case 'list':
        case 'tuple':
          return { k: 'seq', v: Array.isArray(v) ? v.map((e) => canon(e, depth + 1)) : [] };
        case 'set':
          return { k: 'set', v: Array.isArray(v) ? v.map((e) => canon(e, depth + 1)) : [] };
        case 'dict':
          return {
            k: 'dict',
            v: Array.isArray(v) ? v.map((p) => [canon((p as unknown[])[0], depth + 1), canon((p as unknown[])[1], depth + 1)] as [Canon, Canon]) : [],
          };
        case 'int':
          try {
            const b = BigInt(String(v));
            return { k: 'num', v: Number(b), big: b };
          } catch {
            return { k: 'other', v: `bad int ${String(v)}` };
          }
        case 'float':
          return { k: 'num', v: v === 'nan' ? NaN : v === '-inf' ? -Infinity : Infinity };
        case 'bytes':
          return { k: 'bytes', v: String(v) };
        case 'undefined':
          return { k: 'undefined' };
        default:
          return { k: 'other', v: String(v) };
      }
    }
    return { k: 'dict', v: Object.entries(o).map(([key, val]) => [{ k: 'str', v: key }, canon(val, depth + 1)] as [Canon, Canon]) };
  }
  return { k: 'other', v: typeof x };
}

function numEqual(a: Extract<Canon, { k: 'num' }>, b: Extract<Canon, { k: 'num' }>, tol: number): boolean {
  if (a.big !== undefined && b.big !== undefined) return a.big === b.big;
  if (Number.isNaN(a.v) || Number.isNaN(b.v)) return Number.isNaN(a.v) && Number.isNaN(b.v);
  if (a.v === b.v) return true;
  return tol > 0 && Number.isFinite(a.v) && Number.isFinite(b.v) && Math.abs(a.v - b.v) <= tol * Math.max(1, Math.abs(b.v));
}

function eq(a: Canon, b: Canon, tol: number, cs: boolean): boolean {
  if (a.k !== b.k) return false;
  switch (a.k) {
    case 'null':
    case 'undefined':
      return true;
    case 'bool':
      return a.v === (b as typeof a).v;
    case 'num':
      return numEqual(a, b as typeof a, tol);
    case 'str':
      return cs ? a.v === (b as typeof a).v : a.v.toLowerCase() === (b as typeof a).v.toLowerCase();
    case 'bytes':
    case 'other':
      return a.v === (b as typeof a).v;
    case 'seq': {
      const bv = (b as typeof a).v;
      return a.v.length === bv.length && a.v.every((x, i) => eq(x, bv[i]!, tol, cs));
    }
    case 'set':
      return unordered(a.v, (b as typeof a).v, (x, y) => eq(x, y, tol, cs));
    case 'dict':
      return unordered(a.v, (b as typeof a).v, (x, y) => eq(x[0], y[0], 0, true) && eq(x[1], y[1], tol, cs));
  }
}

/** Same size and a one-to-one matching (multiset equality). */
function unordered<T>(a: T[], b: T[], same: (x: T, y: T) => boolean): boolean {
  if (a.length !== b.length) return false;
  const used = new Array<boolean>(b.length).fill(false);
  for (const x of a) {
    const j = b.findIndex((y, i) => !used[i] && same(x, y));
    if (j < 0) return false;
    used[j] = true;
  }
  return true;
}

/** Does the sandbox's wire value equal the task's expected value? */
export function valuesEqual(got: unknown, expected: unknown, floatTolerance = 0, caseSensitive = true): boolean {
  return eq(canon(got), canon(expected), floatTolerance, caseSensitive);
}

/** A short human-readable form of a wire value for details. */
export function showValue(x: unknown, max = 120): string {
  let s: string;
  try {
    s = JSON.stringify(x) ?? String(x);
  } catch {
    s = String(x);
  }
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

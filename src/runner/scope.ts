// Tracks the tensors a forward pass creates so they can be freed in one call (device memory is
// explicit on WebGPU). Wraps any Ops: every returned Tensor is remembered until `release`.
import type { Ops, Tensor } from './ops.js';

export interface Scope {
  ops: Ops;
  /** Free every tracked tensor except `keep` (which stay tracked for a later release). */
  release(keep?: Tensor[]): void;
}

export function scoped(inner: Ops): Scope {
  let made: Tensor[] = [];
  const ops = new Proxy(inner, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        const r: unknown = (v as (...a: unknown[]) => unknown).apply(target, args);
        if (r !== null && typeof r === 'object') {
          if ('shape' in r) made.push(r as Tensor);
          // An op returning several tensors ({experts, weights} of moeRoute): track each.
          else for (const x of Object.values(r)) if (x !== null && typeof x === 'object' && 'shape' in x) made.push(x as Tensor);
        }
        return r;
      };
    },
  });
  return {
    ops,
    release(keep = []) {
      for (const t of made) if (!keep.includes(t)) inner.free(t);
      made = made.filter((t) => keep.includes(t));
    },
  };
}

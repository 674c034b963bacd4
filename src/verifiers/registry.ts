import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import type { Task } from '../contract/types.js';
import type { Verifier } from './types.js';

interface Entry {
  verifier: Verifier;
  check: TypeCheck<TSchema>;
}

/** Maps `task.type` to its verifier. Transports never see verifiers directly: the pipeline does. */
export class VerifierRegistry {
  private readonly entries = new Map<string, Entry>();

  register(verifier: Verifier): this {
    if (this.entries.has(verifier.type)) throw new Error(`verifier '${verifier.type}' is already registered`);
    // Verifier generics are contravariant in the task; the registry only hands each verifier tasks its schema accepted.
    this.entries.set(verifier.type, { verifier: verifier as Verifier, check: TypeCompiler.Compile(verifier.taskSchema) });
    return this;
  }

  get(type: string): Verifier | undefined {
    return this.entries.get(type)?.verifier;
  }

  /** Field errors of a task against its verifier's schema, paths relative to the task. */
  taskErrors(task: Task): { path: string; message: string }[] {
    const entry = this.entries.get(task.type);
    if (!entry) return [];
    if (entry.check.Check(task)) return [];
    return [...entry.check.Errors(task)].map((e) => ({ path: e.path, message: e.message }));
  }

  types(): string[] {
    return [...this.entries.keys()];
  }

  verifiers(): Verifier[] {
    return [...this.entries.values()].map((e) => e.verifier);
  }

  ready(): boolean {
    return this.verifiers().every((v) => v.ready?.() ?? true);
  }

  async close(): Promise<void> {
    await Promise.all(this.verifiers().map((v) => v.close?.() ?? Promise.resolve()));
  }
}

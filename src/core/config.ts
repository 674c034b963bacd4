// The request config: one schema, assembled from the core's sections and each verifier's own section,
// validated the same way for HTTP, gRPC and the CLI. Unknown keys are errors, never ignored.
import { Type, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { AdvantageConfigSchema, ADVANTAGE_PRESETS } from '../advantages/config.js';
import { FormatConfigSchema } from '../rewards/format.js';
import { LanguageConfigSchema } from '../rewards/language.js';
import { LengthConfigSchema } from '../rewards/length.js';
import type { VerifierRegistry } from '../verifiers/registry.js';
import { toFieldErrors } from '../contract/errors.js';
import { boundedNumber, shapeError } from '../contract/limits.js';
import { COMPONENTS, type FieldError } from '../contract/types.js';

const weight = (d: number, what: string) => boundedNumber({ default: d, description: what });

export const WeightsSchema = Type.Object(
  {
    accuracy: weight(1, 'math / code / exact correctness'),
    format: weight(1, '<think> template compliance'),
    language: weight(0, 'share of target-language words in the chain of thought'),
    length: weight(0, 'length shaping (see `length`)'),
  },
  { additionalProperties: false, default: {} },
);

export const AccuracyConfigSchema = Type.Object(
  {
    timeout_reward: Type.Union([boundedNumber(), Type.Null()], {
      default: 0,
      description: 'Accuracy given to a rollout whose verification ran out of time (status "timeout"); null leaves it unscored.',
    }),
  },
  { additionalProperties: false, default: {} },
);

export const LimitsConfigSchema = Type.Object(
  {
    concurrency: Type.Integer({ minimum: 1, maximum: 4096, default: 64, description: 'Rollouts of one request scored at once.' }),
    deadline_ms: Type.Integer({
      minimum: 1,
      default: 120_000,
      description: 'Whole-request budget; rollouts unfinished by then get status "deadline_exceeded" (reward null).',
    }),
    max_completion_chars: Type.Integer({ minimum: 1, default: 4_000_000, description: 'Longer completions are rejected as invalid_rollout.' }),
    max_prompt_chars: Type.Integer({
      minimum: 1,
      default: 1_000_000,
      description: 'Longer prompts are rejected as invalid_rollout (a prompt is hashed for its group and scanned for its language).',
    }),
  },
  { additionalProperties: false, default: {} },
);

function coreProperties() {
  return {
    preset: Type.Optional(
      Type.Union(Object.keys(ADVANTAGE_PRESETS).map((k) => Type.Literal(k)), {
        description: `Advantage preset applied under \`advantage\`: ${Object.keys(ADVANTAGE_PRESETS).join(', ')}.`,
      }),
    ),
    weights: WeightsSchema,
    compute: Type.Array(Type.Union(COMPONENTS.map((c) => Type.Literal(c))), {
      default: [],
      description: 'Components to compute and report even at weight 0 (accuracy and format always are).',
    }),
    advantage: AdvantageConfigSchema,
    format: FormatConfigSchema,
    language: LanguageConfigSchema,
    length: LengthConfigSchema,
    accuracy: AccuracyConfigSchema,
    limits: LimitsConfigSchema,
  };
}

type CoreProps = ReturnType<typeof coreProperties>;
export type CoreConfig = Static<TObject<CoreProps>>;
/** A resolved config: the core's typed sections, plus one section per registered verifier. */
export type Config = CoreConfig & { [verifierSection: string]: unknown };

export class ConfigSchema {
  readonly schema: TObject;
  private readonly check: TypeCheck<TObject>;
  private defaults: Config | undefined;

  constructor(registry: VerifierRegistry) {
    const props: TProperties = { ...coreProperties() };
    for (const v of registry.verifiers()) {
      if (!v.configSchema) continue;
      if (v.type in props) throw new Error(`verifier '${v.type}' config section clashes with a core section`);
      props[v.type] = v.configSchema;
    }
    this.schema = Type.Object(props, { additionalProperties: false, default: {} });
    this.check = TypeCompiler.Compile(this.schema);
  }

  /**
   * Validates a raw config (merged over `base`, e.g. the server's file) and fills every default.
   * Returns the resolved config or every offending path, prefixed with `prefix`.
   */
  resolve(raw: unknown, base?: unknown, prefix = 'config'): { config: Config } | { errors: FieldError[] } {
    if (raw === undefined && base === undefined && this.defaults) return { config: this.defaults };
    if (raw !== undefined && (raw === null || typeof raw !== 'object' || Array.isArray(raw))) {
      return { errors: [{ path: prefix, message: 'must be an object' }] };
    }
    // Before anything walks it: too deep a value or an own `__proto__` key (which a merge would apply).
    const shape = shapeError(raw, prefix, { forbidProto: true }) ?? shapeError(base, 'base config', { forbidProto: true });
    if (shape) return { errors: [shape] };
    const merged = deepMerge(base ?? {}, raw ?? {}) as Record<string, unknown>;
    const preset = merged['preset'];
    if (typeof preset === 'string' && preset in ADVANTAGE_PRESETS) {
      // A preset fills the advantage section; keys the caller wrote there still win.
      merged['advantage'] = { ...ADVANTAGE_PRESETS[preset], ...((merged['advantage'] as object) ?? {}) };
    }
    const filled = fillDefaults(this.schema, merged);
    if (!this.check.Check(filled)) return { errors: toFieldErrors(this.check.Errors(filled), prefix) };
    const config = filled as Config;
    const conflicts = crossChecks(config, prefix);
    if (conflicts.length) return { errors: conflicts };
    if (raw === undefined && base === undefined) this.defaults = config;
    return { config };
  }

  /** The fully defaulted config, for docs and `r1-reward config`. */
  defaultsConfig(): Config {
    const r = this.resolve(undefined);
    if ('errors' in r) throw new Error('default config does not validate');
    return r.config;
  }
}

/** Combinations that validate key by key but can never produce a reward. */
function crossChecks(c: Config, prefix: string): FieldError[] {
  const errors: FieldError[] = [];
  if (COMPONENTS.every((k) => c.weights[k] === 0)) {
    errors.push({ path: `${prefix}.weights`, message: 'every weight is 0: no reward could be computed' });
  }
  if (c.weights.length !== 0 && c.length.kind === 'none') {
    errors.push({ path: `${prefix}.weights.length`, message: "is non-zero but length.kind is 'none': set length.kind to 'overlong' or 'cosine'" });
  }
  return errors;
}

/**
 * Fills defaults where a key is absent, and only there: a value of the wrong type is left for the check to
 * report (TypeBox's Value.Default would swap `compute: {}` for the default, silently). Mutates `value`.
 */
function fillDefaults(schema: TSchema, value: unknown): unknown {
  const s = schema as { type?: string; properties?: Record<string, TSchema>; default?: unknown };
  let v = value;
  if (v === undefined && s.default !== undefined) v = structuredClone(s.default);
  if (s.type !== 'object' || !s.properties || !isPlainObject(v)) return v;
  for (const [k, sub] of Object.entries(s.properties)) {
    const filled = fillDefaults(sub, v[k]);
    if (filled !== undefined) v[k] = filled;
  }
  return v;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `over` wins; objects merge key by key; arrays and scalars replace. Inputs are not mutated. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return structuredClone(over);
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? deepMerge(out[k], v) : structuredClone(v);
  return out;
}

// The policy runner's npm packages are optionalDependencies (Dawn alone is ~130 MB): a serving install
// (`npm ci --omit=optional`) leaves them out, and only the runner's commands import them, lazily, through
// here, so a missing one is an error that says how to install it rather than a bare module-not-found.

/** What the runner needs beyond the reward service: tokenizer.json, chat templates, WebGPU (Dawn). */
export const RUNNER_PACKAGES = ['@huggingface/tokenizers', '@huggingface/jinja', 'webgpu'] as const;

export const RUNNER_INSTALL_HINT =
  "install the policy runner's optional packages: `npm ci` without `--omit=optional` " +
  `(or \`npm install --include=optional\`; they are ${RUNNER_PACKAGES.join(', ')})`;

/** The runner package a failed import was missing, if that is why it failed. */
export function missingRunnerPackage(e: unknown): string | undefined {
  const err = e as { code?: unknown; message?: unknown } | null;
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' && err?.code !== 'MODULE_NOT_FOUND') return undefined;
  const message = String(err.message);
  return RUNNER_PACKAGES.find((p) => message.includes(`'${p}'`) || message.includes(`"${p}"`));
}

/** The error to show when `what` failed to import because a runner package is missing, else undefined. */
export function runnerPackageError(what: string, e: unknown): Error | undefined {
  const pkg = missingRunnerPackage(e);
  return pkg === undefined ? undefined : new Error(`${what} needs the package ${pkg}, which this install left out; ${RUNNER_INSTALL_HINT}`, { cause: e });
}

/** Imports a runner module that depends on optional packages; a missing package becomes a clear error. */
export async function importRunnerModule<T>(what: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    throw runnerPackageError(what, e) ?? e;
  }
}

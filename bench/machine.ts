import { cpus, totalmem } from 'node:os';

/** One line naming the machine, printed at the top of every benchmark. */
export function machineLine(): string {
  const c = cpus();
  return `machine: ${c[0]?.model ?? 'unknown cpu'} x${c.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, node ${process.version}, ${process.platform}/${process.arch}`;
}

// The deployment files, read as Kubernetes and Docker would: the essentials a broken edit would lose.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIR = `${ROOT}deploy/kubernetes/`;
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- free-form manifests

const docs: Obj[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) =>
    parseAllDocuments(readFileSync(DIR + f, 'utf8')).map((d) => {
      expect(d.errors, f).toEqual([]);
      return d.toJS() as Obj;
    }),
  );
const byKind = (kind: string): Obj[] => docs.filter((d) => d['kind'] === kind);
const one = (kind: string): Obj => {
  expect(byKind(kind), kind).toHaveLength(1);
  return byKind(kind)[0]!;
};

describe('kubernetes manifests', () => {
  const dep = one('Deployment');
  const pod = dep['spec']['template'];
  const c = pod['spec']['containers'][0];
  const labels = pod['metadata']['labels'];
  const matches = (selector: Obj) => Object.entries(selector).every(([k, v]) => labels[k] === v);
  const ports = Object.fromEntries((c['ports'] as Obj[]).map((p) => [p['name'], p['containerPort']]));

  it('runs the service non-root with both ports and all three probes', () => {
    expect(ports).toEqual({ http: 8000, grpc: 50051 });
    expect(matches(dep['spec']['selector']['matchLabels'])).toBe(true);
    expect(pod['spec']['securityContext']['runAsNonRoot']).toBe(true);
    expect(c['readinessProbe']['httpGet']['path']).toBe('/readyz');
    expect(c['livenessProbe']['httpGet']['path']).toBe('/healthz');
    expect(c['startupProbe']['grpc']['port']).toBe(ports['grpc']);
    expect(c['resources']['requests']['cpu']).toBeDefined();
  });

  it('lets the sandbox launcher, and nothing else, gain SETUID/SETGID', () => {
    const psc = pod['spec']['securityContext'];
    const sc = c['securityContext'];
    expect(psc['runAsUser']).toBeGreaterThan(0);
    expect(sc['privileged'] ?? false).toBe(false);
    // the launcher's file capabilities: void under no_new_privs, and capped by the bounding set
    expect(sc['allowPrivilegeEscalation']).toBe(true);
    expect(sc['capabilities']['drop']).toEqual(['ALL']);
    expect([...sc['capabilities']['add']].sort()).toEqual(['SETGID', 'SETUID']);
    expect(sc['readOnlyRootFilesystem']).toBe(true);
    // bubblewrap's user namespaces and mounts
    expect(psc['seccompProfile']['type']).toBe('Unconfined');
    expect(psc['appArmorProfile']['type']).toBe('Unconfined');
  });

  it('gives the drain time to finish before Kubernetes kills the pod', () => {
    const env = Object.fromEntries((c['env'] as Obj[]).map((e) => [e['name'], e['value']]));
    expect(env['R1_REWARD_GRPC_PORT']).toBe(String(ports['grpc']));
    expect(env['R1_REWARD_PORT']).toBe(String(ports['http']));
    const drainS = Number(env['R1_REWARD_SHUTDOWN_TIMEOUT_MS']) / 1000;
    const preStopS = Number(c['lifecycle']['preStop']['exec']['command'][1]);
    expect(pod['spec']['terminationGracePeriodSeconds']).toBeGreaterThan(drainS + preStopS);
  });

  it('has a Service for both ports and a headless Service for gRPC round-robin', () => {
    const services = byKind('Service');
    expect(services).toHaveLength(2);
    for (const s of services) {
      expect(matches(s['spec']['selector'])).toBe(true);
      for (const p of s['spec']['ports'] as Obj[]) expect(ports[p['targetPort']], `${s['metadata']['name']}:${p['name']}`).toBe(p['port']);
    }
    const headless = services.find((s) => s['spec']['clusterIP'] === 'None')!;
    expect(headless['spec']['ports'].map((p: Obj) => p['name'])).toEqual(['grpc']);
    const plain = services.find((s) => s['spec']['clusterIP'] !== 'None')!;
    expect(plain['spec']['ports'].map((p: Obj) => p['name']).sort()).toEqual(['grpc', 'http']);
  });

  it('autoscales the Deployment on CPU and bounds disruptions', () => {
    const hpa = one('HorizontalPodAutoscaler');
    expect(hpa['apiVersion']).toBe('autoscaling/v2');
    expect(hpa['spec']['scaleTargetRef']).toMatchObject({ kind: 'Deployment', name: dep['metadata']['name'] });
    expect(hpa['spec']['minReplicas']).toBeGreaterThanOrEqual(2);
    expect(hpa['spec']['metrics'][0]['resource']['name']).toBe('cpu');
    const pdb = one('PodDisruptionBudget');
    expect(matches(pdb['spec']['selector']['matchLabels'])).toBe(true);
    expect(pdb['spec']['maxUnavailable'] ?? 0).toBeLessThan(hpa['spec']['minReplicas']);
  });

  it('lists every manifest in the kustomization', () => {
    const k = one('Kustomization');
    const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...(k['resources'] as string[])].sort()).toEqual(files.sort());
  });
});

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions per stage, as the builder reads them: comments dropped, continuations joined. */
function dockerStages(text: string): Instruction[][] {
  const logical = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const stages: Instruction[][] = [];
  for (const line of logical) {
    const [op, ...rest] = line.split(/\s+/);
    const ins = { op: op!.toUpperCase(), args: rest.join(' ') };
    if (ins.op === 'FROM') stages.push([]);
    stages.at(-1)?.push(ins);
  }
  return stages;
}

describe('Dockerfile', () => {
  const text = readFileSync(`${ROOT}Dockerfile`, 'utf8');
  const stages = dockerStages(text);
  const build = stages[0]!;
  const runtime = stages.at(-1)!;
  const at = (op: string, re: RegExp = /./) => runtime.findIndex((i) => i.op === op && re.test(i.args));
  const env = Object.fromEntries(runtime.filter((i) => i.op === 'ENV').flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!])));
  const workdir = runtime.find((i) => i.op === 'WORKDIR')!.args;

  it('builds in stages and runs non-root with a health check on /readyz', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const users = runtime.filter((i) => i.op === 'USER').map((i) => i.args);
    expect(users.at(-1)).toBe('node');
    expect(['root', '0']).not.toContain(users.at(-1));
    expect(runtime.find((i) => i.op === 'HEALTHCHECK')!.args).toMatch(/CMD .*\/readyz/);
    expect(runtime.find((i) => i.op === 'EXPOSE')!.args).toBe('8000 50051');
  });

  it('installs what the sandboxes need in the runtime image', () => {
    const apt = runtime.find((i) => i.op === 'RUN' && i.args.includes('apt-get install'))!.args;
    for (const pkg of ['python3', 'g++', 'bubblewrap', 'libcap2-bin', 'tini']) expect(apt.split(/\s+/)).toContain(pkg);
  });

  it('gives the launcher, which it builds, file capabilities after copying it and before dropping to the user', () => {
    // the path src/code/launcher.ts would resolve (sandboxes/bin/r1-launch under the app root), pinned by env
    const launcher = env['R1_LAUNCHER'];
    expect(launcher).toBe(`${workdir}/sandboxes/bin/r1-launch`);
    expect(build.some((i) => i.op === 'RUN' && /\bcc\b.* -o sandboxes\/bin\/r1-launch sandboxes\/launcher\.c/.test(i.args))).toBe(true);
    const setcap = at('RUN', /setcap cap_setuid,cap_setgid\+ep sandboxes\/bin\/r1-launch/);
    expect(setcap).toBeGreaterThan(at('COPY', /--from=build/)); // set in this stage: COPY --from drops xattrs
    expect(setcap).toBeLessThan(at('USER'));
    // no other file gets capabilities, and only the service's group may run the launcher
    expect(text.match(/setcap /g)).toHaveLength(1);
    expect(runtime[setcap]!.args).toMatch(/chown root:node sandboxes\/bin\/r1-launch/);
    expect(runtime[setcap]!.args).toMatch(/chmod 0750 sandboxes\/bin\/r1-launch/);
  });

  it("builds and runs on the newest Node that engines names, and installs serving dependencies only", () => {
    const engines = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { engines: { node: string } }).engines.node;
    const newest = Math.max(...[...engines.matchAll(/\^(\d+)\./g)].map((m) => Number(m[1])));
    for (const stage of stages) expect(stage[0]!.args).toMatch(new RegExp(`^node:${newest}-(trixie|bookworm)-slim\\b`));
    // npm ci runs the install script that picks isolated-vm: it must be in the image before npm ci
    const ci = build.findIndex((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args));
    for (const f of ['scripts/install-ivm.mjs', 'sandboxes/js/ivm.mjs']) {
      expect(build.findIndex((i) => i.op === 'COPY' && i.args.startsWith(f))).toBeLessThan(ci);
      expect(build.findIndex((i) => i.op === 'COPY' && i.args.startsWith(f))).toBeGreaterThan(-1);
    }
    expect(text).not.toMatch(/nodedir/);
    expect(build.some((i) => i.op === 'RUN' && /npm prune --omit=dev --omit=optional/.test(i.args))).toBe(true);
  });
});

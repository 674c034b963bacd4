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
    expect(c['securityContext']['allowPrivilegeEscalation']).toBe(false);
    expect(c['readinessProbe']['httpGet']['path']).toBe('/readyz');
    expect(c['livenessProbe']['httpGet']['path']).toBe('/healthz');
    expect(c['startupProbe']['grpc']['port']).toBe(ports['grpc']);
    expect(c['resources']['requests']['cpu']).toBeDefined();
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

describe('Dockerfile', () => {
  const text = readFileSync(`${ROOT}Dockerfile`, 'utf8');
  const runtime = text.slice(text.lastIndexOf('\nFROM '));

  it('builds in stages and runs non-root with a health check', () => {
    expect(text.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(2);
    const user = /^USER (\S+)/m.exec(runtime)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(runtime).toMatch(/^HEALTHCHECK .*\/readyz/ms);
    expect(runtime).toMatch(/^EXPOSE 8000 50051$/m);
  });

  it('installs what the sandboxes need in the runtime image', () => {
    for (const pkg of ['python3', 'g++', 'bubblewrap']) expect(runtime).toContain(` ${pkg} `);
  });
});

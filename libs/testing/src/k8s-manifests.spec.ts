import { join, relative } from 'node:path';
import { Deployment, IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import {
  HorizontalPodAutoscaler,
  IHorizontalPodAutoscaler,
} from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { IJob, Job } from 'kubernetes-models/batch/v1/Job';
import { IPodDisruptionBudget, PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap, IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { ISecret, Secret } from 'kubernetes-models/v1/Secret';
import { IService, Service } from 'kubernetes-models/v1/Service';
import { IScaledObject, ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { metricsRegistry } from '@app/common';
import '@app/metrics';
import { QueueName, queueLabel } from '@app/queue';
import { SERVE_APPS } from '../../../apps/cli/src/serve';
import { EnvDto } from '../../config/src/env.dto';
import { K8sObject, kustomizations, renderKustomization, repoRoot } from './kustomize';

/** The Kubernetes API's own OpenAPI schemas, bundled by kubernetes-models (KEDA's CRD by @kubernetes-models/keda). */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
};

interface Kinds {
  Deployment: IDeployment;
  Service: IService;
  ConfigMap: IConfigMap;
  Secret: ISecret;
  Job: IJob;
  PodDisruptionBudget: IPodDisruptionBudget;
  HorizontalPodAutoscaler: IHorizontalPodAutoscaler;
  ScaledObject: IScaledObject;
}

const ROOT = join(repoRoot(), 'deploy', 'k8s');
const WORKERS = ['matcher', 'dispatcher', 'escalator', 'ingestor'];

/** The objects of a kind, typed by the Kubernetes models (validated against the schemas in the first test). */
function ofKind<K extends keyof Kinds>(objects: K8sObject[], kind: K): Array<Kinds[K]> {
  return objects.filter((o) => o.kind === kind) as unknown as Array<Kinds[K]>;
}

const podLabels = (d: IDeployment): Record<string, string> => d.spec?.template.metadata?.labels ?? {};
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>): boolean =>
  !!selector && Object.entries(selector).every(([k, v]) => labels[k] === v);
const containerOf = (o: IDeployment | IJob) => o.spec?.template.spec?.containers[0];
const nameOf = (o: { metadata?: { name?: string } }): string => o.metadata?.name ?? '';

describe('Kubernetes manifests (deploy/k8s, Kustomize)', () => {
  const dirs = kustomizations(ROOT);

  it('refuses what the schemas refuse (the check is not a formality)', () => {
    const [api] = ofKind(renderKustomization(join(ROOT, 'base')), 'Deployment');
    const broken = JSON.parse(JSON.stringify(api)) as {
      spec: { replicas?: unknown; template: { spec: { containers: Array<{ name?: string }> } } };
    };
    broken.spec.replicas = 'two';
    expect(() => new Deployment(broken as never).validate()).toThrow(/replicas/);
    delete broken.spec.replicas;
    delete broken.spec.template.spec.containers[0].name;
    expect(() => new Deployment(broken as never).validate()).toThrow(/name/);
    expect(() =>
      new ScaledObject({ metadata: { name: 'x' }, spec: { scaleTargetRef: {} } } as never).validate(),
    ).toThrow();
  });

  it('has the base and the production and KEDA overlays', () => {
    expect(dirs.map((d) => relative(ROOT, d))).toEqual(['base', 'overlays/keda', 'overlays/production']);
  });

  describe.each(dirs.map((d) => [relative(ROOT, d), d]))('%s', (_, dir) => {
    const objects = renderKustomization(dir);
    const deployments = ofKind(objects, 'Deployment');

    it('validates every object against the Kubernetes (and KEDA) schemas', () => {
      const problems: string[] = [];
      for (const o of objects) {
        const Model = MODELS[`${o.apiVersion}/${o.kind}`];
        if (!Model) {
          problems.push(`${o.kind} ${o.metadata.name}: no schema for ${o.apiVersion}`);
          continue;
        }
        try {
          new Model(o as never).validate();
        } catch (e) {
          problems.push(`${o.kind} ${o.metadata.name}: ${(e as Error).message}`);
        }
      }
      expect(problems).toEqual([]);
      expect(new Set(objects.map((o) => `${o.kind}/${o.metadata.name}`)).size).toBe(objects.length);
    });

    it('runs one Deployment per app, each `jiaoying serve <app>`, probed on its health', () => {
      expect(deployments.map(nameOf).sort()).toEqual(['api', ...WORKERS].map((a) => `jiaoying-${a}`).sort());
      const config = ofKind(objects, 'ConfigMap')[0].data ?? {};
      for (const d of deployments) {
        const c = containerOf(d);
        const args = c?.args ?? [];
        const app = args[3];
        expect(args.slice(0, 3)).toEqual(['node', 'dist/apps/cli/src/main.js', 'serve']);
        expect(SERVE_APPS).toContain(app);
        expect(nameOf(d)).toBe(`jiaoying-${app}`);
        expect(matches(d.spec?.selector.matchLabels, podLabels(d))).toBe(true);
        const ports = new Map((c?.ports ?? []).map((p) => [p.name, p.containerPort]));
        expect(ports.get(app === 'api' ? 'http' : 'metrics')).toBe(
          Number(app === 'api' ? config.PORT : config.METRICS_PORT),
        );
        expect(c?.readinessProbe?.httpGet?.path).toBe(app === 'api' ? '/api/v1/health' : '/health');
        for (const port of [
          c?.readinessProbe?.httpGet?.port,
          c?.livenessProbe?.tcpSocket?.port,
          c?.startupProbe?.httpGet?.port,
        ]) {
          expect(ports.has(String(port))).toBe(true);
        }
        expect(c?.resources?.requests?.cpu).toBeDefined();
      }
    });

    it('configures through one ConfigMap and one Secret of real variables, the Secret with placeholders only', () => {
      const variables = new Set(Object.keys(new EnvDto()));
      const [config] = ofKind(objects, 'ConfigMap');
      const [secret] = ofKind(objects, 'Secret');
      const keys = [...Object.keys(config.data ?? {}), ...Object.keys(secret.stringData ?? {})];
      expect(keys.filter((k) => !variables.has(k))).toEqual([]);
      expect(Object.entries(secret.stringData ?? {}).filter(([, v]) => !v.includes('CHANGE-ME'))).toEqual([]);
      for (const o of [...deployments, ...ofKind(objects, 'Job')]) {
        expect((containerOf(o)?.envFrom ?? []).map((e) => e.configMapRef?.name ?? e.secretRef?.name)).toEqual([
          nameOf(config),
          nameOf(secret),
        ]);
      }
    });

    it('exposes the api by a Service, and keeps one pod of every app through a drain', () => {
      const [service] = ofKind(objects, 'Service');
      expect(deployments.filter((d) => matches(service.spec?.selector, podLabels(d))).map(nameOf)).toEqual([
        'jiaoying-api',
      ]);
      expect(service.spec?.ports?.[0].targetPort).toBe('http');
      const pdbs = ofKind(objects, 'PodDisruptionBudget');
      for (const d of deployments) {
        const own = pdbs.filter((p) => matches(p.spec?.selector?.matchLabels, podLabels(d)));
        expect(own).toHaveLength(1);
        expect(Number(own[0].spec?.minAvailable)).toBeLessThan(d.spec?.replicas ?? 0);
      }
    });

    it('autoscales the dispatcher and the escalator, by CPU or by KEDA on queue depth and CPU, never both', () => {
      const hpas = ofKind(objects, 'HorizontalPodAutoscaler');
      const scaled = ofKind(objects, 'ScaledObject');
      const targets = [
        ...hpas.map((h) => h.spec?.scaleTargetRef.name),
        ...scaled.map((s) => s.spec?.scaleTargetRef.name),
      ].sort();
      expect(targets).toEqual(['jiaoying-dispatcher', 'jiaoying-escalator']);
      targets.forEach((t) => expect(deployments.map(nameOf)).toContain(t));
      for (const h of hpas) {
        expect((h.spec?.metrics ?? []).map((m) => m.resource?.name)).toEqual(['cpu']);
      }
      const queues = new Set<string>(Object.values(QueueName).map(queueLabel));
      const exported = new Set(metricsRegistry.getMetricsAsArray().map((m) => (m as unknown as { name: string }).name));
      for (const s of scaled) {
        const triggers = s.spec?.triggers ?? [];
        expect(triggers.map((t) => t.type).sort()).toEqual(['cpu', 'prometheus']);
        const query = triggers.find((t) => t.type === 'prometheus')?.metadata.query ?? '';
        // The query asks for our metric and for queues that exist.
        expect(exported.has(/jiaoying_[a-z_]+/.exec(query)?.[0] ?? '')).toBe(true);
        const named = /queue=~?"([^"]+)"/.exec(query)?.[1].split('|') ?? [];
        expect(named.length).toBeGreaterThan(0);
        expect(named.filter((q) => !queues.has(q))).toEqual([]);
      }
    });
  });

  it("puts the production overlays in their namespace and their registry's image", () => {
    for (const overlay of ['overlays/production', 'overlays/keda']) {
      const objects = renderKustomization(join(ROOT, overlay));
      expect(new Set(objects.map((o) => o.metadata.namespace))).toEqual(new Set(['jiaoying']));
      const images = [...ofKind(objects, 'Deployment'), ...ofKind(objects, 'Job')].map((o) => containerOf(o)?.image);
      expect(new Set(images)).toEqual(new Set(['registry.example.gov.cn/jiaoying/jiaoying:0.1.0']));
      const config = ofKind(objects, 'ConfigMap')[0].data ?? {};
      expect(config.REDIS_CLUSTER_NODES).toMatch(/^([a-z0-9.-]+:\d+,)+[a-z0-9.-]+:\d+$/);
      expect(config.NODE_ENV).toBe('production');
      expect(ofKind(objects, 'Deployment').find((d) => nameOf(d) === 'jiaoying-dispatcher')?.spec?.replicas).toBe(3);
    }
  });
});

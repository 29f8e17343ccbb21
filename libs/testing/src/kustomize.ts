import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as written in the manifests. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

interface Kustomization {
  namespace?: string;
  resources?: string[];
  labels?: Array<{ pairs: Record<string, string>; includeSelectors?: boolean }>;
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
  patches?: Array<{ path: string }>;
}

type Json = Record<string, unknown>;

/** The fields of a Kustomization this renderer knows; a manifest using another one is refused, not half-rendered. */
const KNOWN = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'labels', 'images', 'patches']);

/**
 * Renders a kustomization directory the way `kubectl kustomize` does, for the subset deploy/k8s uses: resources
 * (files and directories, overlays on overlays), namespace, labels (with includeSelectors), images, and strategic
 * merge patches by kind and name (maps merged, lists of named items merged by name, `$patch: delete`). Offline and
 * without a kustomize binary, so that CI can validate what a cluster would be given.
 */
export function renderKustomization(dir: string): K8sObject[] {
  const k = parseAllDocuments(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'))[0].toJS() as Kustomization & Json;
  const unknown = Object.keys(k).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0) {
    throw new Error(`${dir}/kustomization.yaml: fields this renderer does not support: ${unknown.join(', ')}`);
  }
  let objects: K8sObject[] = (k.resources ?? []).flatMap((r) => {
    const path = resolve(dir, r);
    return statSync(path).isDirectory() ? renderKustomization(path) : readObjects(path);
  });
  for (const p of k.patches ?? []) {
    for (const patch of readObjects(resolve(dir, p.path)) as Array<K8sObject & { $patch?: string }>) {
      const i = objects.findIndex((o) => o.kind === patch.kind && o.metadata.name === patch.metadata.name);
      if (i < 0) {
        throw new Error(`${p.path}: no ${patch.kind} ${patch.metadata.name} to patch`);
      }
      if (patch.$patch === 'delete') {
        objects = objects.filter((_, j) => j !== i);
      } else {
        objects[i] = merge(objects[i], patch) as K8sObject;
      }
    }
  }
  for (const o of objects) {
    if (k.namespace) {
      o.metadata.namespace = k.namespace;
    }
    for (const l of k.labels ?? []) {
      addLabels(o, l.pairs, l.includeSelectors ?? false);
    }
    for (const image of k.images ?? []) {
      forEachContainer(o, (c) => {
        const [name, tag] = String(c.image).split(':');
        if (name === image.name) {
          c.image = `${image.newName ?? name}:${image.newTag ?? tag ?? 'latest'}`;
        }
      });
    }
  }
  return objects;
}

function readObjects(path: string): K8sObject[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((d) => d.toJS() as K8sObject)
    .filter((o) => !!o);
}

/** A strategic merge patch, as far as these manifests need it. */
function merge(base: Json, patch: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    if (Array.isArray(value) && Array.isArray(current) && value.every(named) && current.every(named)) {
      const merged = current.map((item) => {
        const over = value.find((v) => v.name === item.name);
        return over ? merge(item, over) : item;
      });
      out[key] = [...merged, ...value.filter((v) => !current.some((item) => item.name === v.name))];
    } else if (isMap(value) && isMap(current)) {
      out[key] = merge(current, value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const named = (v: unknown): v is Json & { name: string } => isMap(v) && typeof v.name === 'string';

function podSpecOf(o: K8sObject): Json | undefined {
  const template = (o.spec as Json | undefined)?.template as Json | undefined;
  return template?.spec as Json | undefined;
}

function forEachContainer(o: K8sObject, f: (c: Json) => void): void {
  const pod = podSpecOf(o);
  for (const list of ['initContainers', 'containers']) {
    ((pod?.[list] as Json[] | undefined) ?? []).forEach(f);
  }
}

/** Kustomize's labels: on every object; with includeSelectors also on pod templates and on the selectors that exist. */
function addLabels(o: K8sObject, pairs: Record<string, string>, includeSelectors: boolean): void {
  o.metadata.labels = { ...o.metadata.labels, ...pairs };
  if (!includeSelectors) {
    return;
  }
  const spec = o.spec as Json | undefined;
  const template = spec?.template as { metadata?: { labels?: Record<string, string> } } | undefined;
  if (template) {
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, ...pairs } };
  }
  const selector = spec?.selector as Json | undefined;
  if (o.kind === 'Service' && selector) {
    spec!.selector = { ...selector, ...pairs };
  } else if (selector && isMap(selector.matchLabels)) {
    selector.matchLabels = { ...selector.matchLabels, ...pairs };
  }
}

/** Every kustomization directory under `root` that is an overlay (or the base), for a spec to render each. */
export function kustomizations(root: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    if (readdirSync(d).includes('kustomization.yaml')) {
      found.push(d);
    }
    readdirSync(d)
      .map((e) => join(d, e))
      .filter((p) => statSync(p).isDirectory())
      .forEach(walk);
  };
  walk(root);
  return found.sort();
}

export const repoRoot = (): string => resolve(dirname(__filename), '../../..');

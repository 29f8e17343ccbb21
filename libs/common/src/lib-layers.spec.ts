import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * How the libs lean on each other: imports point one way (no cycle), and the calls kernel, which every worker
 * loads, stands below the api-facing libs. Specs are left out: a test may use any lib (a simulator, say) as a tool.
 */
const LIBS = join(__dirname, '..', '..');

/** Libs the kernel and the matcher must never import: they would pull the api's side into every worker. */
const ABOVE_KERNEL: Record<string, string[]> = {
  calls: ['response', 'matching', 'delivery', 'alerts', 'desk', 'demo', 'testing', 'simulators'],
  matching: ['response', 'delivery', 'alerts', 'desk', 'demo', 'testing', 'simulators'],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      return name === 'node_modules' ? [] : sources(path);
    }
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

function dependencies(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const lib of readdirSync(LIBS)) {
    const deps = new Set<string>();
    for (const file of sources(join(LIBS, lib, 'src'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/from '@app\/([\w-]+)'/g)) {
        if (m[1] !== lib) {
          deps.add(m[1]);
        }
      }
    }
    graph.set(lib, deps);
  }
  return graph;
}

/** One cycle in the graph as `a → b → a`, or null. */
export function findCycle(graph: Map<string, Set<string>>): string | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string | null => {
    if (state.get(node) === 'open') {
      return [...path.slice(path.indexOf(node)), node].join(' → ');
    }
    if (state.get(node) === 'done') {
      return null;
    }
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) {
        return cycle;
      }
    }
    path.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) {
      return cycle;
    }
  }
  return null;
}

describe('lib layers', () => {
  const graph = dependencies();

  it('finds a cycle when there is one', () => {
    const probe = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
    ]);
    expect(findCycle(probe)).toBe('a → b → c → a');
    expect(findCycle(new Map([['a', new Set(['b'])]]))).toBeNull();
  });

  it('has no cycle between libs', () => {
    expect(graph.get('calls')?.has('database')).toBe(true);
    expect(findCycle(graph)).toBeNull();
  });

  it('keeps the calls kernel and matching below the api-facing libs', () => {
    const wrong = Object.entries(ABOVE_KERNEL).flatMap(([lib, banned]) =>
      banned.filter((b) => graph.get(lib)?.has(b)).map((b) => `${lib} imports ${b}`),
    );
    expect(wrong).toEqual([]);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { metricsRegistry, startProcessMetrics } from '@app/common';
import './queue-gauges';

interface Panel {
  title?: string;
  targets?: Array<{ expr: string }>;
  panels?: Panel[];
}

/** Every PromQL expression of the dashboard, with its panel's title. */
function expressions(panels: Panel[]): Array<{ title: string; expr: string }> {
  return panels.flatMap((p) => [
    ...(p.targets ?? []).map((t) => ({ title: p.title ?? '', expr: t.expr })),
    ...expressions(p.panels ?? []),
  ]);
}

/** The series names a metric of the registry is exported under (a histogram: _bucket, _sum and _count). */
async function exportedSeries(): Promise<Map<string, string>> {
  const series = new Map<string, string>();
  for (const m of await metricsRegistry.getMetricsAsJSON()) {
    const type = String(m.type);
    const names =
      type === 'histogram'
        ? ['_bucket', '_sum', '_count'].map((s) => m.name + s)
        : type === 'summary'
          ? [m.name, `${m.name}_sum`, `${m.name}_count`]
          : [m.name];
    names.forEach((n) => series.set(n, m.name));
  }
  return series;
}

describe('the Grafana dashboard (deploy/grafana/jiaoying.json)', () => {
  const dashboard = JSON.parse(readFileSync(join(__dirname, '../../../deploy/grafana/jiaoying.json'), 'utf8')) as {
    panels: Panel[];
    __inputs: unknown[];
  };

  it('queries only metrics the apps export, and shows every metric of ours', async () => {
    startProcessMetrics('test');
    const series = await exportedSeries();
    const exprs = expressions(dashboard.panels);
    expect(exprs.length).toBeGreaterThan(15);
    const queried = exprs.flatMap((e) =>
      [...e.expr.matchAll(/\b(?:jiaoying|process|nodejs)_[a-z0-9_]+/g)].map(([name]) => ({ ...e, name })),
    );
    expect(queried.filter((q) => !series.has(q.name)).map((q) => `${q.title}: ${q.name}`)).toEqual([]);
    const shown = new Set(queried.map((q) => series.get(q.name)));
    const ours = [...new Set(series.values())].filter((n) => n.startsWith('jiaoying_'));
    expect(ours.length).toBeGreaterThanOrEqual(12);
    expect(ours.filter((n) => !shown.has(n))).toEqual([]);
  });

  it('asks for its Prometheus data source on import', () => {
    expect(dashboard.__inputs).toEqual([
      expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }),
    ]);
    const sources = new Set(JSON.stringify(dashboard).match(/"uid":\s*"\$\{[A-Z_]+\}"/g));
    expect([...sources]).toEqual(['"uid":"${DS_PROMETHEUS}"']);
  });
});

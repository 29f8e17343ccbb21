/** One sample of a Prometheus text exposition: the metric's name, its labels and its value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus' text format (what prom-client serves at /metrics); comments and blank lines are skipped. */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || line.startsWith('#')) {
      continue;
    }
    const labels: Record<string, string> = {};
    for (const [, key, value] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key] = value.replace(/\\"/g, '"').replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
    }
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** The sum of a metric's samples whose labels match every one given. */
export function sumOf(samples: Sample[], name: string, match: Record<string, string | string[]> = {}): number {
  return samples
    .filter(
      (s) =>
        s.name === name &&
        Object.entries(match).every(([k, v]) => (Array.isArray(v) ? v.includes(s.labels[k]) : s.labels[k] === v)),
    )
    .reduce((total, s) => total + s.value, 0);
}

/** GET <url>/metrics with the bearer token; the samples. */
export async function scrape(url: string, token?: string): Promise<Sample[]> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!res.ok) {
    throw new Error(`${url}: HTTP ${res.status}`);
  }
  return parseMetrics(await res.text());
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The repository must stand on its own: no comment, test or document may point at a file it does not contain
 * (the team's private briefs) or at an issue number instead of saying the fact itself.
 */
const ROOT = join(__dirname, '..', '..', '..');
const ROOTS = ['apps', 'libs', 'test', 'bench', 'config', 'scripts', 'docs'];
const ROOT_FILES = [
  'README.md',
  'docker-compose.yml',
  'Dockerfile',
  'package.json',
  'nest-cli.json',
  'eslint.config.mjs',
];
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', 'fixtures']);
const TEXT = /\.(ts|js|mjs|json|md|ya?ml|sh|html|css|txt)$|Dockerfile$/;
const FORBIDDEN: Array<[RegExp, string]> = [
  [/\b(DOMAIN|PERFORMANCE|ANCHORS|STYLE)\.md\b/, 'a brief the repository does not contain'],
  [/\bDOMAIN\s*(§|\d|R-\d|S\d)/, 'a section of a brief the repository does not contain'],
  [/\bissue\s*#?\d+/i, 'an issue number instead of the fact'],
  [/\/work\/(shared|notes|main|wt-)/, 'a path on a developer machine'],
];

function files(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      return SKIP_DIRS.has(name) ? [] : files(path);
    }
    return TEXT.test(name) ? [path] : [];
  });
}

describe('references inside the repository', () => {
  it('no file points at documents or issues outside the repository', () => {
    const paths = [...ROOTS.flatMap((d) => files(join(ROOT, d))), ...ROOT_FILES.map((f) => join(ROOT, f))];
    const self = relative(ROOT, __filename);
    const found: string[] = [];
    for (const path of paths) {
      const rel = relative(ROOT, path);
      if (rel === self) {
        continue;
      }
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        continue;
      }
      text.split('\n').forEach((line, i) => {
        for (const [pattern, what] of FORBIDDEN) {
          if (pattern.test(line)) {
            found.push(`${rel}:${i + 1}: ${what}: ${line.trim().slice(0, 100)}`);
          }
        }
      });
    }
    expect(paths.length).toBeGreaterThan(100);
    expect(found).toEqual([]);
  });
});

// Lists, per table, the libs and apps whose source writes it: SQL INSERT / UPDATE / DELETE / TRUNCATE, the demo's
// bulk inserts, and TypeORM writes through an entity. Feeds the owner table of docs/architecture.md.
// Run from the repository root: node scripts/table-writers.mjs
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
const files = [...walk('apps'), ...walk('libs')];
const tables = new Set();
const entities = new Map();
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  for (const m of text.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+)/g)) tables.add(m[1]);
  for (const m of text.matchAll(/@Entity\('([a-z_]+)'\)\s*(?:@[^\n]*\n\s*)*export class (\w+)/g))
    entities.set(m[2], m[1]);
}
const writers = new Map();
const note = (table, owner) => {
  if (tables.has(table)) writers.set(table, new Set([...(writers.get(table) ?? []), owner]));
};
for (const f of files.filter((p) => !p.includes('/migrations/') && !p.startsWith('libs/testing/'))) {
  const owner = f.split('/').slice(0, 2).join('/');
  const text = readFileSync(f, 'utf8');
  for (const m of text.matchAll(/\b(?:INSERT INTO|UPDATE|DELETE FROM|TRUNCATE)\s+([a-z_]+)/g)) note(m[1], owner);
  for (const m of text.matchAll(/insertMany<\w+>\(\s*\w+,\s*'([a-z_]+)'/g)) note(m[1], owner);
  for (const m of text.matchAll(/getRepository\((\w+)\)\s*\.(?:save|insert|update|delete|remove)\(/g))
    note(entities.get(m[1]), owner);
  for (const m of text.matchAll(/\.(?:save|insert|update|delete)\((\w+Entity)\b/g)) note(entities.get(m[1]), owner);
}
for (const t of [...tables].sort()) {
  const w = [...(writers.get(t) ?? [])].sort();
  console.log(`| \`${t}\` | ${w.length ? w.join(', ') : '(migrations only)'} |`);
}

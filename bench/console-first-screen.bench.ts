// The duty desk's first screen: navigation to the login form ready to type in, in Debian's chromium, from a cold
// browser cache (a new browser context per run) and with the cache warm, against the api serving the built desk;
// beside the raw limit measured in the same run: a bare Node HTTP server's page holding just such a form.
//
//   npm run build && bash scripts/console-build.sh && node dist/bench/console-first-screen.bench.js
//
// BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/jiaoying_bench_console) is dropped and rebuilt.
import 'reflect-metadata';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, chromium } from 'playwright-core';
import {
  appsEnv,
  fmt,
  freshDatabase,
  log,
  pct,
  printTable,
  specFile,
  startApp,
  stopApps,
  waitUntil,
} from './bench-kit';

const DB = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/jiaoying_bench_console';
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const BARE =
  '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>登录</title></head>' +
  '<body><form><input name="username"><input name="password" type="password"><button data-test="login">登录</button></form></body></html>';

/** Milliseconds to the login button for each run: cold in a fresh context, then warm (a second load in that context). */
async function firstScreens(browser: Browser, url: string): Promise<{ cold: number[]; warm: number[]; bytes: number }> {
  const cold: number[] = [];
  const warm: number[] = [];
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    let t = Date.now();
    await page.goto(url);
    await page.locator('[data-test=login]').waitFor();
    cold.push(Date.now() - t);
    // Runs in the page: every resource's and the document's bytes on the wire.
    bytes = await page.evaluate(() => {
      const timing = performance as unknown as { getEntriesByType(t: string): Array<{ transferSize: number }> };
      return [...timing.getEntriesByType('resource'), ...timing.getEntriesByType('navigation')].reduce(
        (sum, e) => sum + e.transferSize,
        0,
      );
    });
    t = Date.now();
    await page.goto(url);
    await page.locator('[data-test=login]').waitFor();
    warm.push(Date.now() - t);
    await context.close();
  }
  return { cold, warm, bytes };
}

async function main(): Promise<void> {
  await freshDatabase(DB);
  const prefix = `jy-bench-console-${process.pid}`;
  const { env, apiPort } = await appsEnv({
    dbUrl: DB,
    prefix,
    specFile: specFile(() => undefined),
    extra: { NODE_ENV: 'development' },
  });
  const api = startApp(join(__dirname, '..'), 'api', env, 'console');
  const base = `http://127.0.0.1:${apiPort}`;
  await waitUntil(
    'the api',
    async () => (await fetch(`${base}/console/login`).catch(() => null))?.ok ?? false,
    60_000,
    200,
  );
  const bare = createServer((_req, res) =>
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(BARE),
  );
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  try {
    log('bare page');
    const raw = await firstScreens(browser, `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`);
    log('the desk');
    const desk = await firstScreens(browser, `${base}/console/login`);
    const row = (xs: number[]) => `${fmt(Math.min(...xs))} / ${fmt(pct(xs, 50))} / ${fmt(Math.max(...xs))} ms`;
    printTable(`first screen, ${RUNS} runs each (min / median / max)`, [
      ['desk login, cold cache', row(desk.cold), `${fmt(desk.bytes / 1024, 1)} KiB transferred`],
      ['desk login, warm cache', row(desk.warm), ''],
      ['bare page (raw limit), cold', row(raw.cold), `${fmt(raw.bytes / 1024, 1)} KiB`],
      ['desk ÷ raw (median, cold)', `${fmt(pct(desk.cold, 50) / Math.max(1, pct(raw.cold, 50)), 1)}×`, ''],
    ]);
  } finally {
    await browser.close();
    bare.close();
    await stopApps([api], prefix);
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});

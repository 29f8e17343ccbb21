import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { Pipeline } from '../support/pipeline';
import { CHROMIUM_ARGS } from './response-support';

/** Where the browser tests leave screenshots of the desk's main screens (the README shows them). */
const SHOTS = join(__dirname, '..', '..', 'docs', 'screenshots');

export interface Desk {
  browser: Browser;
  base: string;
}

/** Debian chromium against the pipeline's api, listening on a free port. */
export async function openDesk(p: Pipeline): Promise<Desk> {
  await new Promise<void>((resolve) => p.server.listen(0, '127.0.0.1', resolve));
  const { port } = p.server.address() as AddressInfo;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  return { browser, base: `http://127.0.0.1:${port}/console` };
}

export async function newDeskPage(desk: Desk): Promise<Page> {
  const page = await desk.browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  page.setDefaultTimeout(15_000);
  return page;
}

/** Milliseconds from navigation to the login form ready to type in: the desk's first screen. */
export async function firstScreenMs(page: Page, desk: Desk): Promise<number> {
  const started = Date.now();
  await page.goto(`${desk.base}/login`);
  await page.locator('[data-test=login]').waitFor();
  return Date.now() - started;
}

/** Signs in through the login screen and waits for the warnings list. */
export async function signIn(page: Page, desk: Desk, username: string, password: string): Promise<void> {
  await page.goto(`${desk.base}/login`);
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(password);
  await page.locator('[data-test=login]').click();
  await page.locator('[data-test=who]').waitFor();
}

export async function signOut(page: Page): Promise<void> {
  await page.locator('[data-test=logout]').click();
  await page.locator('[data-test=login]').waitFor();
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Runs a browser walk; on failure keeps a screenshot of the page as it was (path printed) before failing. */
export async function walk(page: Page, name: string, steps: () => Promise<void>): Promise<void> {
  try {
    await steps();
  } catch (e) {
    const path = join(tmpdir(), `desk-${name}-failed.png`);
    await page.screenshot({ path, fullPage: true }).catch(() => undefined);
    process.stdout.write(`failed page: ${path} at ${page.url()}\n`);
    throw e;
  }
}

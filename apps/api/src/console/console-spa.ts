import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NextFunction, Request, RequestHandler, Response } from 'express';
import expressStaticGzip from 'express-static-gzip';

/** Where `npm --prefix console run build` writes the duty desk (值班台). The apps run from the repository root. */
export const CONSOLE_DIST = join(process.cwd(), 'console', 'dist');

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // Element Plus and ECharts set style attributes; no inline script is allowed.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The duty desk single-page app at /console/: hashed assets from the build (cached for a year), and index.html for
 * every other GET (history routing), the commander's board (/console/board) included. Assets go out as the brotli or
 * gzip copies the build wrote beside them (express-static-gzip picks by Accept-Encoding), so nothing is compressed
 * per request.
 */
export function consoleSpa(dir = CONSOLE_DIST): RequestHandler {
  const assets = expressStaticGzip(dir, {
    enableBrotli: true,
    orderPreference: ['br', 'gzip'],
    index: false,
    serveStatic: { index: false, fallthrough: true, immutable: true, maxAge: '365d' },
  });
  const index = indexReader(join(dir, 'index.html'));
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      next();
      return;
    }
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (req.path.startsWith('/assets/')) {
      assets(req, res, next);
      return;
    }
    if (req.originalUrl === '/console') {
      res.redirect(301, '/console/');
      return;
    }
    const html = index();
    if (html === null) {
      res
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('值班台尚未构建：请运行 npm --prefix console run build（the duty desk is not built yet）');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(html);
  };
}

/** index.html, re-read when a new build replaces it (its asset names change with every build). */
function indexReader(file: string): () => string | null {
  let cached: { mtimeMs: number; html: string } | null = null;
  return () => {
    try {
      const { mtimeMs } = statSync(file);
      if (cached?.mtimeMs !== mtimeMs) {
        cached = { mtimeMs, html: readFileSync(file, 'utf8') };
      }
      return cached.html;
    } catch {
      return null;
    }
  };
}

// Which file on disk answers a URL path, with which headers: one policy for both hosts (the Electron app://
// protocol and the headless HTTP host). Only the renderer's build folder and the core's cache files are
// ever served, by their real paths, so `..`, encoded `%2e%2e` and symlinks cannot lead outside them.
import { existsSync, realpathSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { contentSecurityPolicy } from '../common/csp';

export interface FileSources {
  host: 'electron' | 'headless';
  /** The built renderer (index.html and its assets). */
  rendererDir: string;
  /** The core's cacheFile: a cache file's real path, or null. Null here when the caller may not read the cache. */
  cacheFile: ((path: string) => string | null) | null;
}

export type Served =
  | { status: 200; file: string; headers: Record<string, string> }
  | { status: 400 | 404 | 503; body: string; headers: Record<string, string> };

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

/**
 * The viewer's raw 16-bit frames (preview/frame-files.ts): megabytes each, held by the viewer itself. Chromium
 * fails every concurrent request for a URL whose disk-cache write failed (net::ERR_CACHE_WRITE_FAILURE, seen by
 * fetch as "Failed to fetch"), and big entries fail to write, so these never enter the browser's cache.
 */
const UNCACHED = new Set(['.sdr16', '.hdr16', '.graded16']);

/** Headers on every answer, file or refusal. */
export function securityHeaders(host: FileSources['host']): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(host),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  };
}

/** `pathname` as it comes in a URL, still percent-encoded. Proxy frames and thumbnails come from /media/. */
export function servedFile(pathname: string, sources: FileSources): Served {
  const headers = securityHeaders(sources.host);
  const refuse = (status: 400 | 404 | 503, body: string): Served => ({
    status,
    body,
    headers: { ...headers, 'Content-Type': 'text/plain' },
  });
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return refuse(400, 'Bad path');
  }
  if (rel.includes('\0')) return refuse(400, 'Bad path');
  if (rel.startsWith('/media/')) {
    const file = sources.cacheFile?.(rel.slice('/media/'.length)) ?? null;
    if (!file) return refuse(404, 'Not found');
    const cacheControl = UNCACHED.has(extname(file).toLowerCase()) ? 'no-store' : 'private, max-age=60';
    return {
      status: 200,
      file,
      headers: { ...headers, 'Content-Type': mimeType(file), 'Cache-Control': cacheControl },
    };
  }
  if (rel === '/' || rel === '') rel = '/index.html';
  const file = realFileUnder(sources.rendererDir, join(sources.rendererDir, rel));
  if (!file) {
    if (!existsSync(join(sources.rendererDir, 'index.html')))
      return refuse(503, 'The renderer is not built: run `npm run build`.');
    return refuse(404, 'Not found');
  }
  return { status: 200, file, headers: { ...headers, 'Content-Type': mimeType(file) } };
}

/** The real path of `path` if it is a file inside `root` once every symlink is followed; null otherwise. */
export function realFileUnder(root: string, path: string): string | null {
  try {
    if (!normalize(resolve(path)).startsWith(normalize(resolve(root)) + sep)) return null;
    const real = realpathSync(path);
    return real.startsWith(realpathSync(root) + sep) && statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}

function mimeType(file: string): string {
  return MIME[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

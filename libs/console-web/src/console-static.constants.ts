import { CONSOLE_CSS, CONSOLE_HTML, CONSOLE_SCRIPT } from './assets';

/** A static file of the console page. */
export interface ConsoleAsset {
  contentType: string;
  body: string;
}

/** The page's files by request path (relative URLs in the page, so it works under a path prefix). */
export const CONSOLE_ASSETS: Readonly<Record<string, ConsoleAsset>> = {
  '/': { contentType: 'text/html; charset=utf-8', body: CONSOLE_HTML },
  '/index.html': { contentType: 'text/html; charset=utf-8', body: CONSOLE_HTML },
  '/console.js': { contentType: 'text/javascript; charset=utf-8', body: CONSOLE_SCRIPT },
  '/console.css': { contentType: 'text/css; charset=utf-8', body: CONSOLE_CSS },
};

/**
 * Headers of every console response. The CSP allows only same-origin script, style and fetches:
 * management events hold attacker-controlled text, and the page never evaluates or injects it.
 */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

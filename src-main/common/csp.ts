// One Content-Security-Policy for the renderer, in both hosts. MUI (emotion) injects <style> tags, hence
// 'unsafe-inline' for styles only; scripts come from our own bundle and nowhere else.
export function contentSecurityPolicy(host: 'electron' | 'headless'): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "worker-src 'self' blob:",
    host === 'headless' ? "connect-src 'self'" : "connect-src 'self' app:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

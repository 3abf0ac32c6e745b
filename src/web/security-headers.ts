import type { RequestHandler } from "express";
import helmet from "helmet";

/**
 * Security headers with a strict script policy: no inline scripts anywhere, so templates stay free of
 * them and htmx's eval-based features (hx-on) are not used.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "upgrade-insecure-requests": null,
      },
    },
    strictTransportSecurity: false,
  });
}

import type { Request } from "express";

export interface FlashMessage {
  kind: "success" | "info" | "warning" | "error";
  message: string;
  /** A page the message is about (e.g. the task that ended). */
  href?: string;
}

declare module "express-session" {
  interface SessionData {
    powercrudFlash?: FlashMessage[];
  }
}

/** Keeps a message for the next page (the no-JavaScript path after a redirect). */
export function addFlash(req: Request, flash: FlashMessage): void {
  if (!req.session) return;
  req.session.powercrudFlash = [...(req.session.powercrudFlash ?? []), flash];
}

export function takeFlash(req: Request): FlashMessage[] {
  const messages = req.session?.powercrudFlash ?? [];
  if (req.session?.powercrudFlash) delete req.session.powercrudFlash;
  return messages;
}

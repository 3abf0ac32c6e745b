import type { Request, Response } from "express";

export const MODAL_CONTENT_ID = "pc-modal-content";

/** An htmx request that swaps a fragment (not a history restore, which needs the full page). */
export function isFragmentRequest(req: Request): boolean {
  return req.get("HX-Request") === "true" && req.get("HX-History-Restore-Request") !== "true";
}

/** The request targets the modal: answer with the bare partial. */
export function targetsModal(req: Request): boolean {
  return isFragmentRequest(req) && (req.get("HX-Target") ?? "").endsWith(`#${MODAL_CONTENT_ID}`);
}

/** The request targets an element with this id. */
export function targets(req: Request, id: string): boolean {
  return isFragmentRequest(req) && (req.get("HX-Target") ?? "").endsWith(`#${id}`);
}

/** Fires client events after the response (read by powercrud.js): closes the modal, toasts, refreshes. */
export function triggerClientEvent(res: Response, name: string, detail: Record<string, unknown>): void {
  // Header values must be Latin-1: escape everything else, JSON.parse on the client restores it.
  const json = JSON.stringify({ [name]: detail }).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  res.set("HX-Trigger", json);
}

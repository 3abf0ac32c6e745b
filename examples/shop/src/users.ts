import { createHash, timingSafeEqual } from "node:crypto";

export type Role = "manager" | "clerk" | "viewer";

export interface ShopUser {
  id: number;
  email: string;
  name: string;
  role: Role;
}

/**
 * The example's fixed accounts, printed at startup and shown on the sign-in page. A real app keeps its
 * users in its database with slow password hashes (scrypt, argon2); PowerCRUD only needs `getUser`.
 */
export const ACCOUNTS: ReadonlyArray<ShopUser & { password: string }> = [
  { id: 1, email: "manager@example.com", password: "manager", name: "Maya Manager", role: "manager" },
  { id: 2, email: "clerk@example.com", password: "clerk", name: "Carl Clerk", role: "clerk" },
  { id: 3, email: "viewer@example.com", password: "viewer", name: "Vic Viewer", role: "viewer" },
];

export function findUser(id: unknown): ShopUser | undefined {
  const account = ACCOUNTS.find((candidate) => candidate.id === id);
  return account && { id: account.id, email: account.email, name: account.name, role: account.role };
}

/** The account with this email and password; both are compared in constant time. */
export function checkPassword(email: string, password: string): ShopUser | undefined {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  const account = ACCOUNTS.find((candidate) => timingSafeEqual(digest(candidate.email), digest(email.trim().toLowerCase())));
  return account && timingSafeEqual(digest(account.password), digest(password)) ? findUser(account.id) : undefined;
}

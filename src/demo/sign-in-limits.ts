import { createHash } from "node:crypto";
import type pg from "pg";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";

export interface SignInLimitSettings {
  /** Failed sign-ins one account may have within `accountWindowSeconds`; the next attempt locks it. */
  accountFailures: number;
  accountWindowSeconds: number;
  /** The first lockout of an account; each further one within a day doubles it, up to `maxLockoutSeconds`. */
  lockoutSeconds: number;
  maxLockoutSeconds: number;
  /** Failed sign-ins one client address may have within `addressWindowSeconds`; the next attempt blocks it for that window. */
  addressFailures: number;
  addressWindowSeconds: number;
}

/**
 * Five wrong passwords per account per 15 minutes, then lockouts of 15, 30 and at most 60 minutes.
 * The cap keeps a stranger who knows an email address from locking its owner out for days; at five
 * guesses an hour a password is still out of reach. Fifty failures per address per hour stop one
 * client from trying many accounts.
 */
export const DEFAULT_SIGN_IN_LIMITS: SignInLimitSettings = {
  accountFailures: 5,
  accountWindowSeconds: 15 * 60,
  lockoutSeconds: 15 * 60,
  maxLockoutSeconds: 60 * 60,
  addressFailures: 50,
  addressWindowSeconds: 60 * 60,
};

const LOCKOUT_MEMORY_SECONDS = 24 * 60 * 60;

export type SignInAttempt = { allowed: true } | { allowed: false; retryAfterSeconds: number; message: string };

export interface SignInLimiter {
  /**
   * Counts one attempt before the password is checked, so that parallel guesses cannot all slip in
   * before the first failure is recorded. Refused when the account or the address is locked.
   */
  attempt(email: string, address: string): Promise<SignInAttempt>;
  /** A successful sign-in: the account starts afresh and the attempt no longer counts against the address. */
  succeeded(email: string, address: string): Promise<void>;
}

/** Limits kept in the `sign_in_limit` table (created by a migration), so they hold across instances and restarts. */
export function signInLimiter(pool: pg.Pool, settings: Partial<SignInLimitSettings> = {}): SignInLimiter {
  const limits = { ...DEFAULT_SIGN_IN_LIMITS, ...settings };
  const store = { storeClient: pool, storeType: "pool", tableName: "sign_in_limit", tableCreated: true };
  const accounts = new RateLimiterPostgres({ ...store, keyPrefix: "account", points: limits.accountFailures, duration: limits.accountWindowSeconds });
  const lockouts = new RateLimiterPostgres({ ...store, keyPrefix: "lockouts", points: Number.MAX_SAFE_INTEGER, duration: LOCKOUT_MEMORY_SECONDS });
  const addresses = new RateLimiterPostgres({
    ...store,
    keyPrefix: "address",
    points: limits.addressFailures,
    duration: limits.addressWindowSeconds,
    blockDuration: limits.addressWindowSeconds,
  });

  const lockAccount = async (key: string): Promise<number> => {
    const { consumedPoints } = await lockouts.penalty(key);
    const seconds = Math.min(limits.lockoutSeconds * 2 ** (consumedPoints - 1), limits.maxLockoutSeconds);
    await accounts.block(key, seconds);
    return seconds;
  };

  return {
    async attempt(email, address) {
      const addressCheck = await refusal(addresses.consume(address));
      if (addressCheck !== undefined) {
        return { allowed: false, retryAfterSeconds: addressCheck.seconds, message: `Too many failed sign-ins from your network. ${tryAgain(addressCheck.seconds)}` };
      }
      const key = accountKey(email);
      const accountCheck = await refusal(accounts.consume(key));
      if (accountCheck === undefined) return { allowed: true };
      // Only the attempt that first goes over the limit starts a lockout; later ones wait it out.
      const seconds = accountCheck.consumed === limits.accountFailures + 1 ? await lockAccount(key) : accountCheck.seconds;
      return { allowed: false, retryAfterSeconds: seconds, message: `Too many failed sign-ins for this account. ${tryAgain(seconds)}` };
    },
    async succeeded(email, address) {
      const key = accountKey(email);
      await Promise.all([accounts.delete(key), lockouts.delete(key), addresses.reward(address)]);
    },
  };
}

/** Hashed, so the table holds no email addresses and every key fits its 255 characters. */
function accountKey(email: string): string {
  return createHash("sha256").update(email).digest("hex");
}

/** The wait in whole seconds when the limiter refuses, undefined when it allows; store errors propagate. */
async function refusal(consumption: Promise<RateLimiterRes>): Promise<{ seconds: number; consumed: number } | undefined> {
  try {
    await consumption;
    return undefined;
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    return { seconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)), consumed: error.consumedPoints };
  }
}

/** "Try again in 15 minutes (at 14:32 UTC)." */
export function tryAgain(seconds: number, now = new Date()): string {
  const at = new Date(now.getTime() + seconds * 1000).toISOString().slice(11, 16);
  const wait = seconds < 60 ? plural(seconds, "second") : plural(Math.ceil(seconds / 60), "minute");
  return `Try again in ${wait} (at ${at} UTC).`;
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? "" : "s"}`;
}

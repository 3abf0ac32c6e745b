// Prisma 6's wasm schema engine leaves long timers armed, so `prisma migrate deploy` finishes its
// work and then hangs for a minute. Preloaded with --require, this lets the process exit when done.
const original = global.setTimeout;
global.setTimeout = function patchedSetTimeout(fn, ms, ...args) {
  const timer = original(fn, ms, ...args);
  if (typeof ms === "number" && ms >= 5000 && timer && typeof timer.unref === "function") timer.unref();
  return timer;
};

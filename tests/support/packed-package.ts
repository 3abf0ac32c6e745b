/**
 * The package as a stranger gets it: `npm pack` (which runs the build) once per test run, shared by
 * every test file that installs it (package.test.ts, example-app.test.ts). The tarball is kept in the
 * run's scratch folder (global-setup.ts), so the second file finds it there.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { inject } from "vitest";
import { packageRoot } from "../../src/paths";

export interface PackedPackage {
  /** Absolute path of powercrud-<version>.tgz. */
  tarball: string;
  /** What `npm pack --json` lists: every file in the tarball and its size. */
  files: Array<{ path: string; size: number }>;
}

export function packedPackage(): PackedPackage {
  const folder = path.join(inject("scratchDir"), "pack");
  const manifest = path.join(folder, "pack.json");
  if (!fs.existsSync(manifest)) {
    fs.mkdirSync(folder, { recursive: true });
    const output = runCommand("npm", ["pack", "--json", "--pack-destination", folder], packageRoot);
    const [packed] = JSON.parse(output.slice(output.indexOf("["))) as Array<{ filename: string; files: PackedPackage["files"] }>;
    fs.writeFileSync(manifest, JSON.stringify({ tarball: path.join(folder, packed!.filename), files: packed!.files }));
  }
  return JSON.parse(fs.readFileSync(manifest, "utf8")) as PackedPackage;
}

/** Runs a command outside npm's lifecycle environment (npm test's npm_* variables would steer a nested npm). */
export function runCommand(command: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): string {
  try {
    return execFileSync(command, args, { cwd, env: { ...commandEnv(), ...extraEnv }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`${path.basename(command)} ${args.join(" ")} failed in ${cwd}:\n${stdout}\n${stderr}`);
  }
}

/** This process's environment without npm's lifecycle variables. */
export function commandEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith("npm_")));
}

/** The version of a package installed in this repository, so an installing test asks npm's cache for the same one. */
export function installedVersion(name: string): string {
  return JSON.parse(fs.readFileSync(path.join(packageRoot, "node_modules", name, "package.json"), "utf8")).version;
}

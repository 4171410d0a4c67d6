import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// `npm start` serves the built web inbox (web/build, SvelteKit adapter-node). This builds it
// when it is missing or older than any web source, so a fresh clone or a `git pull` starts
// with a current app and an unchanged tree starts at once.
//
//   tsx scripts/ensure-web-build.ts           build if missing or stale
//   tsx scripts/ensure-web-build.ts --force   build anyway

const root = fileURLToPath(new URL('..', import.meta.url));
export const webDir = join(root, 'web');
export const webBuildDir = join(webDir, 'build');
const marker = join(webBuildDir, 'handler.js');
/** What a build is made of; anything newer than the build makes it stale. */
const inputs = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package.json', 'tsconfig.json'];
const lockDir = join(webDir, '.build-lock');

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Why the build must be (re)made, or undefined when it is current. */
export function webBuildStaleness(): string | undefined {
  if (!existsSync(marker)) return 'web/build is missing';
  const built = statSync(marker).mtimeMs;
  const stale = inputs.find((i) => newestMtime(join(webDir, i)) > built);
  return stale ? `web/${stale} changed since the last build` : undefined;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Builds web/ when needed; returns whether it built. Throws when the build fails. */
export function ensureWebBuild(opts: { force?: boolean; log?: (line: string) => void } = {}): boolean {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // One build at a time (npm start and a test run may both ask): a directory is an atomic lock.
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      // A lock left by a killed build is stale after 5 minutes.
      if (existsSync(lockDir) && Date.now() - statSync(lockDir).mtimeMs > 5 * 60_000)
        rmSync(lockDir, { force: true, recursive: true });
      if (Date.now() > deadline) throw new Error(`another web build holds ${lockDir}`);
      sleep(500);
    }
  }
  try {
    const reason = opts.force ? 'forced' : webBuildStaleness();
    if (!reason) return false;
    log(`building the web app (${reason})…`);
    const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
    // Quiet unless it fails: then the whole build log, to fix what it says.
    const res = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
      cwd: webDir,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (res.status !== 0) {
      process.stderr.write(`${res.stdout ?? ''}${res.stderr ?? ''}`);
      throw new Error(`web build failed (vite build exited with ${res.status ?? res.signal})`);
    }
    log('web app built');
    return true;
  } finally {
    rmSync(lockDir, { force: true, recursive: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    ensureWebBuild({ force: process.argv.includes('--force') });
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

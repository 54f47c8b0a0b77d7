/**
 * Where regsize and the tools it reads keep their files, in one place:
 *   the Docker config folder   $DOCKER_CONFIG, else ~/.docker (as the docker CLI: an empty value is unset)
 *   the cache                  $XDG_CACHE_HOME/regsize, else ~/.cache/regsize
 *   the report history         $XDG_DATA_HOME/regsize/history.db, else ~/.local/share/regsize/history.db
 * The XDG Base Directory spec says a relative XDG_* value is to be ignored.
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

type Env = NodeJS.ProcessEnv;

/** The home folder ($HOME first, as shells and tests set it), or undefined when there is none. */
function home(env: Env): string | undefined {
  return env.HOME || homedir() || undefined;
}

function xdg(env: Env, name: 'XDG_CACHE_HOME' | 'XDG_DATA_HOME', fallback: string[]): string | undefined {
  const v = env[name];
  if (v && isAbsolute(v)) return v;
  const h = home(env);
  return h ? join(h, ...fallback) : undefined;
}

export function dockerConfigDir(env: Env = process.env, homeDir = home(env) ?? ''): string {
  return env.DOCKER_CONFIG || join(homeDir, '.docker');
}

export function defaultCacheDir(env: Env = process.env): string | undefined {
  const base = xdg(env, 'XDG_CACHE_HOME', ['.cache']);
  return base ? join(base, 'regsize') : undefined;
}

export function defaultHistoryPath(env: Env = process.env): string {
  return join(xdg(env, 'XDG_DATA_HOME', ['.local', 'share']) ?? '.', 'regsize', 'history.db');
}

#!/usr/bin/env node
// Creates or updates ONE regsize comment on a GitHub pull request or a GitLab merge request,
// found again by a hidden marker, so every push updates the same comment instead of piling up
// new ones. Used by action.yml and ci/gitlab/regsize.gitlab-ci.yml.
//
// A script and not a regsize subcommand, on purpose: it holds a CI token for the code host,
// which has nothing to do with sizing images, so that token never comes near regsize's registry
// transport, cache or logs; and it runs from the action's own checkout with nothing to build.
//
//   node scripts/pr-comment.mjs BODY.md
//
// GitHub (GITHUB_API_URL set, as on every Actions runner):
//   GITHUB_TOKEN, GITHUB_REPOSITORY (owner/repo), and the pull request number from
//   REGSIZE_PR_NUMBER or the event payload at GITHUB_EVENT_PATH.
//   1. GET  /repos/{owner}/{repo}/issues/{n}/comments?per_page=100, following Link rel="next";
//   2. the first comment whose body holds the marker is PATCHed
//      (/repos/{owner}/{repo}/issues/comments/{id}); with none, one is POSTed.
//   https://docs.github.com/en/rest/issues/comments
// GitLab (CI_API_V4_URL set, as in every GitLab CI job):
//   REGSIZE_GITLAB_TOKEN or GITLAB_TOKEN (a project or personal access token with api scope:
//   CI_JOB_TOKEN cannot write notes), CI_PROJECT_ID, CI_MERGE_REQUEST_IID.
//   1. GET /projects/:id/merge_requests/:iid/notes?per_page=100, following Link rel="next";
//   2. the note with the marker is PUT (/notes/:note_id); with none, one is POSTed.
//   https://docs.gitlab.com/ee/api/notes.html#merge-requests
//
// The token is sent only to the API origin the CI named: a pagination link to any other origin
// is refused. Responses are bounded (size, pages, time). Errors are one line on stderr, exit 1.
import { readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const MARKER = '<!-- regsize -->';
const MAX_PAGES = 50;
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
const TIMEOUT_MS = 30_000;
// GitHub refuses comments over 65,536 characters; GitLab notes allow a million.
const MAX_BODY_CHARS = 65_000;

class CommentError extends Error {}

function required(env, name, why) {
  const v = env[name];
  if (!v) throw new CommentError(`${name} is not set: ${why}`);
  return v;
}

/** The code host from the CI's own variables: which API, which token, which thread. */
export function hostFromEnv(env) {
  if (env.GITHUB_API_URL) {
    const repo = required(env, 'GITHUB_REPOSITORY', 'the owner/repo of the pull request');
    if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) throw new CommentError(`GITHUB_REPOSITORY "${repo}" is not owner/repo`);
    let number = env.REGSIZE_PR_NUMBER;
    if (!number && env.GITHUB_EVENT_PATH) {
      const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'));
      number = String(event.pull_request?.number ?? event.issue?.number ?? '');
    }
    if (!/^\d+$/.test(number ?? '')) throw new CommentError('no pull request number: run on pull_request events, or set REGSIZE_PR_NUMBER');
    const api = env.GITHUB_API_URL.replace(/\/+$/, '');
    return {
      kind: 'github',
      api,
      headers: { authorization: `Bearer ${required(env, 'GITHUB_TOKEN', 'pass github-token (the default ${{ github.token }} needs pull-requests: write)')}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' },
      list: `${api}/repos/${repo}/issues/${number}/comments?per_page=100`,
      create: { method: 'POST', url: `${api}/repos/${repo}/issues/${number}/comments` },
      update: (id) => ({ method: 'PATCH', url: `${api}/repos/${repo}/issues/comments/${id}` }),
    };
  }
  if (env.CI_API_V4_URL) {
    const project = encodeURIComponent(required(env, 'CI_PROJECT_ID', 'run in a GitLab CI job'));
    const iid = required(env, 'CI_MERGE_REQUEST_IID', 'run in a merge request pipeline (rules: if: $CI_MERGE_REQUEST_IID)');
    if (!/^\d+$/.test(iid)) throw new CommentError(`CI_MERGE_REQUEST_IID "${iid}" is not a number`);
    const token = env.REGSIZE_GITLAB_TOKEN || env.GITLAB_TOKEN;
    if (!token) throw new CommentError('REGSIZE_GITLAB_TOKEN is not set: a project access token with api scope (CI_JOB_TOKEN cannot write notes)');
    const api = env.CI_API_V4_URL.replace(/\/+$/, '');
    const base = `${api}/projects/${project}/merge_requests/${iid}/notes`;
    return {
      kind: 'gitlab',
      api,
      headers: { 'private-token': token },
      list: `${base}?per_page=100&sort=asc`,
      create: { method: 'POST', url: base },
      update: (id) => ({ method: 'PUT', url: `${base}/${id}` }),
    };
  }
  throw new CommentError('neither GITHUB_API_URL (GitHub Actions) nor CI_API_V4_URL (GitLab CI) is set: run in a CI job');
}

async function call(host, method, url, body) {
  if (new URL(url).origin !== new URL(host.api).origin) {
    // The token is for the API the CI named, never for a host a response points at.
    throw new CommentError(`refusing to send the token to ${new URL(url).origin}: the API is ${new URL(host.api).origin}`);
  }
  const res = await fetch(url, {
    method,
    headers: { ...host.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'error',
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const reader = res.body?.getReader();
  const chunks = [];
  let size = 0;
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      throw new CommentError(`${method} ${new URL(url).pathname}: the answer is larger than ${MAX_RESPONSE_BYTES} bytes`);
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!res.ok) {
    const why = text.slice(0, 200).replace(/[^\x20-\x7e]+/g, ' ').trim();
    throw new CommentError(`${method} ${new URL(url).pathname} answered HTTP ${res.status}${why ? `: ${why}` : ''}`);
  }
  return { json: text ? JSON.parse(text) : null, link: res.headers.get('link') };
}

/** rel="next" of an RFC 8288 Link header, as both GitHub and GitLab send it. */
function nextLink(link) {
  for (const part of (link ?? '').split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m) return m[1];
  }
  return undefined;
}

async function findMarked(host) {
  let url = host.list;
  for (let page = 0; url && page < MAX_PAGES; page++) {
    const { json, link } = await call(host, 'GET', url);
    if (!Array.isArray(json)) throw new CommentError(`GET ${new URL(url).pathname} did not answer a list`);
    const hit = json.find((c) => typeof c?.body === 'string' && c.body.includes(MARKER));
    if (hit) return hit.id;
    url = nextLink(link);
  }
  return undefined;
}

/** The marker first (hidden in the rendered comment), then the body, cut to the host's limit. */
export function commentBody(markdown) {
  const text = markdown.length > MAX_BODY_CHARS ? `${markdown.slice(0, MAX_BODY_CHARS)}\n\n*(cut to ${MAX_BODY_CHARS} characters)*\n` : markdown;
  return `${MARKER}\n${text}`;
}

/** Creates or updates the one marked comment; returns what was done and the comment's id. */
export async function upsertComment(env, markdown) {
  const host = hostFromEnv(env);
  const body = commentBody(markdown);
  const id = await findMarked(host);
  if (id !== undefined) {
    if (!/^\d+$/.test(String(id))) throw new CommentError(`the marked comment has an unexpected id ${JSON.stringify(id).slice(0, 40)}`);
    const { method, url } = host.update(id);
    await call(host, method, url, { body });
    return { action: 'updated', id };
  }
  const { json } = await call(host, host.create.method, host.create.url, { body });
  return { action: 'created', id: json?.id };
}

// Run as a script (through a symlink too, as `npm link` and some global installs lay it out).
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  try {
    const file = process.argv[2];
    if (!file) throw new CommentError('usage: node scripts/pr-comment.mjs BODY.md');
    const { action, id } = await upsertComment(process.env, readFileSync(file, 'utf8'));
    process.stderr.write(`regsize: ${action} comment ${id}\n`);
  } catch (e) {
    const message = e instanceof CommentError ? e.message : `${e?.name === 'TimeoutError' ? 'the API did not answer in time' : (e?.message ?? e)}`;
    process.stderr.write(`regsize: cannot post the comment: ${message}\n`);
    process.exitCode = 1;
  }
}

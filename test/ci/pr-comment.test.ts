/**
 * The pull-request comment: scripts/pr-comment.mjs against local fakes of the GitHub and GitLab
 * APIs (create, then update, never duplicate, pagination honoured, the token sent only to the
 * API the CI named), and action.yml itself: it parses, declares its inputs, and its `run` steps,
 * executed with bash and the environment a workflow passes, measure two images in a real
 * registry and post one comment that the next run updates.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { formatBytes } from '../../src/units.js';
import { BIN, emptyDockerConfig } from '../helpers/cli.js';
import { type Image, makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { ROOT } from '../commands/run-in-process.js';
import { type FakeCodeHost, startFakeCodeHost } from './fake-code-host.js';

const SCRIPT = join(ROOT, 'scripts/pr-comment.mjs');
const MARKER = '<!-- regsize -->';
const GH_TOKEN = 'ghs_regsizeTestToken0123456789';

function run(cmd: string, args: string[], env: Record<string, string>, cwd = ROOT): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TMPDIR: process.env.TMPDIR ?? '', ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('pull-request comment (scripts/pr-comment.mjs)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'regsize-comment-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const body = (text: string) => {
    const f = join(dir, `body-${Math.random().toString(36).slice(2)}.md`);
    writeFileSync(f, text);
    return f;
  };

  describe('on GitHub', () => {
    let gh: FakeCodeHost;
    beforeEach(async () => {
      gh = await startFakeCodeHost('github', { path: '/repos/org/app/issues/7/comments' });
    });
    afterEach(async () => gh.close());
    const env = () => ({ GITHUB_API_URL: gh.url, GITHUB_TOKEN: GH_TOKEN, GITHUB_REPOSITORY: 'org/app', REGSIZE_PR_NUMBER: '7' });

    it('creates the comment, then updates that one on every later run: never a second one', async () => {
      // 150 comments by others: the thread spans two pages of 100.
      for (let i = 0; i < 150; i++) gh.comments.push({ id: i + 1, body: `review comment ${i}` });
      const first = await run(process.execPath, [SCRIPT, body('size: 1 MB')], env());
      assert.equal(first.code, 0, first.stderr);
      assert.equal(gh.comments.length, 151);
      const mine = gh.comments.filter((c) => c.body.includes(MARKER));
      assert.deepEqual(mine.map((c) => c.body), [`${MARKER}\nsize: 1 MB`]);
      // Both pages were read before deciding to create.
      assert.deepEqual(gh.requests.map((r) => r.method), ['GET', 'GET', 'POST']);

      gh.requests.length = 0;
      const second = await run(process.execPath, [SCRIPT, body('size: 2 MB')], env());
      assert.equal(second.code, 0, second.stderr);
      assert.equal(gh.comments.length, 151, 'no second comment');
      assert.equal(gh.comments.find((c) => c.id === mine[0]?.id)?.body, `${MARKER}\nsize: 2 MB`);
      assert.deepEqual(gh.requests.map((r) => `${r.method} ${r.path}`), [
        'GET /repos/org/app/issues/7/comments',
        'GET /repos/org/app/issues/7/comments',
        `PATCH /repos/org/app/issues/comments/${mine[0]?.id}`,
      ]);
      assert.ok(gh.requests.every((r) => r.token === `Bearer ${GH_TOKEN}`));
      assert.match(second.stderr, /^regsize: updated comment \d+\n$/);
    });

    it('finds the marked comment on a later page, and reads the event payload for the number', async () => {
      for (let i = 0; i < 130; i++) gh.comments.push({ id: i + 1, body: i === 120 ? `${MARKER}\nold` : `c${i}` });
      const event = join(dir, 'event.json');
      writeFileSync(event, JSON.stringify({ pull_request: { number: 7 } }));
      const { REGSIZE_PR_NUMBER: _, ...withoutNumber } = env();
      const r = await run(process.execPath, [SCRIPT, body('new')], { ...withoutNumber, GITHUB_EVENT_PATH: event });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(gh.comments.length, 130);
      assert.equal(gh.comments[120]?.body, `${MARKER}\nnew`);
    });

    it('never sends the token to another origin a pagination link names', async () => {
      const other = await startFakeCodeHost('github', { path: '/repos/org/app/issues/7/comments' });
      try {
        for (let i = 0; i < 101; i++) gh.comments.push({ id: i + 1, body: `c${i}` });
        gh.nextOrigin = other.url;
        const r = await run(process.execPath, [SCRIPT, body('x')], env());
        assert.equal(r.code, 1);
        assert.equal(r.stderr, `regsize: cannot post the comment: refusing to send the token to ${other.url}: the API is ${gh.url}\n`);
        assert.equal(other.requests.length, 0);
        assert.equal(gh.comments.length, 101, 'nothing posted');
        assert.ok(!r.stderr.includes(GH_TOKEN));
      } finally {
        await other.close();
      }
    });

    it('fails in one line without a token or a pull request number', async () => {
      const { GITHUB_TOKEN: _, ...noToken } = env();
      const r = await run(process.execPath, [SCRIPT, body('x')], noToken);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^regsize: cannot post the comment: GITHUB_TOKEN is not set: .*\n$/);
      const n = await run(process.execPath, [SCRIPT, body('x')], { ...env(), REGSIZE_PR_NUMBER: '' });
      assert.match(n.stderr, /^regsize: cannot post the comment: no pull request number/);
      assert.equal(gh.requests.length, 0);
    });
  });

  describe('on GitLab', () => {
    let gl: FakeCodeHost;
    const notes = '/api/v4/projects/42/merge_requests/5/notes';
    beforeEach(async () => {
      gl = await startFakeCodeHost('gitlab', { path: notes });
    });
    afterEach(async () => gl.close());

    it('creates the merge-request note, then updates it, across pages, with the token only in PRIVATE-TOKEN', async () => {
      for (let i = 0; i < 120; i++) gl.comments.push({ id: i + 1, body: `note ${i}` });
      const env = { CI_API_V4_URL: `${gl.url}/api/v4`, CI_PROJECT_ID: '42', CI_MERGE_REQUEST_IID: '5', REGSIZE_GITLAB_TOKEN: 'glpat-regsizeTest0000' };
      const first = await run(process.execPath, [SCRIPT, body('one')], env);
      assert.equal(first.code, 0, first.stderr);
      const second = await run(process.execPath, [SCRIPT, body('two')], env);
      assert.equal(second.code, 0, second.stderr);
      assert.deepEqual(gl.comments.filter((c) => c.body.includes(MARKER)).map((c) => c.body), [`${MARKER}\ntwo`]);
      assert.deepEqual(gl.requests.map((r) => r.method), ['GET', 'GET', 'POST', 'GET', 'GET', 'PUT']);
      assert.ok(gl.requests.every((r) => r.token === 'glpat-regsizeTest0000'));
    });
  });
});

describe('action.yml', function () {
  this.timeout(180_000);
  interface Step {
    name?: string;
    id?: string;
    uses?: string;
    if?: string;
    shell?: string;
    env?: Record<string, string>;
    run?: string;
  }
  interface Action {
    name: string;
    inputs: Record<string, { required?: boolean; default?: string; description: string }>;
    runs: { using: string; steps: Step[] };
  }
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Action;

  it('is a composite action with the declared inputs', () => {
    assert.equal(action.runs.using, 'composite');
    assert.deepEqual(Object.keys(action.inputs).sort(), ['bandwidth', 'base', 'github-token', 'image', 'max-increase', 'platform', 'version']);
    assert.equal(action.inputs.base?.required, true);
    assert.equal(action.inputs.image?.required, true);
    assert.equal(action.inputs['github-token']?.default, '${{ github.token }}');
    assert.ok(action.runs.steps.some((s) => s.uses?.startsWith('actions/setup-node@')));
    for (const s of action.runs.steps.filter((x) => x.run)) {
      assert.equal(s.shell, 'bash', `${s.name}: composite run steps must name their shell`);
      // Inputs go through env, never into the shell text (script injection from branch names).
      assert.doesNotMatch(s.run as string, /\$\{\{/, `${s.name} pastes an expression into the script`);
    }
  });

  describe('its run steps, as a pull_request workflow runs them', () => {
    let reg: LocalRegistry;
    let gh: FakeCodeHost;
    let dir: string;
    const os = makeRandomLayer({ size: 500_000, seed: 'action-os' });
    const main = makeImage({ layers: [os, makeRandomLayer({ size: 100_000, seed: 'action-app' })] });
    const pr = makeImage({ layers: [os, makeRandomLayer({ size: 180_000, seed: 'action-app-pr' })] });
    const size = (img: Image) => img.layers.reduce((s, l) => s + l.size, 0);

    before(async () => {
      [reg, gh] = await Promise.all([startRegistry(), startFakeCodeHost('github', { path: '/repos/org/app/issues/9/comments' })]);
      dir = mkdtempSync(join(tmpdir(), 'regsize-action-'));
      await pushImage(reg, 'org/app', 'main', main);
      await pushImage(reg, 'org/app', 'pr-9', pr);
      gh.comments.push({ id: 1, body: 'LGTM' });
    });
    after(async () => {
      await Promise.all([reg?.stop(), gh?.close()]);
      rmSync(dir, { recursive: true, force: true });
    });

    /**
     * Runs every `run` step in order with bash, as the runner does (`bash --noprofile --norc -eo
     * pipefail`), expressions substituted from the inputs. The setup-node step is a `uses:` step:
     * the test's own Node stands in for it. `npm` is a stand-in that records its arguments and
     * installs this checkout's bin/run.js as `regsize` (the runner would fetch it from npm).
     */
    async function runAction(inputs: Record<string, string>): Promise<{ codes: (number | null)[]; stderr: string; npmArgs: string; summary: string }> {
      const run = mkdtempSync(join(dir, 'run-'));
      const bin = join(run, 'bin');
      mkdirSync(bin);
      writeFileSync(join(bin, 'npm'), `#!/bin/sh\nprintf '%s\\n' "$*" > "${run}/npm-args"\nprintf '#!/bin/sh\\nexec "%s" "%s" "$@"\\n' "${process.execPath}" "${BIN}" > "${bin}/regsize"\nchmod +x "${bin}/regsize"\n`);
      chmodSync(join(bin, 'npm'), 0o755);
      const values: Record<string, string> = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, inputs[k] ?? v.default ?? '']));
      values['github-token'] = inputs['github-token'] ?? GH_TOKEN;
      const event = join(run, 'event.json');
      writeFileSync(event, JSON.stringify({ pull_request: { number: 9 } }));
      const output = join(run, 'output');
      const summary = join(run, 'summary');
      writeFileSync(output, '');
      writeFileSync(summary, '');
      const outputs: Record<string, string> = {};
      const expr = (text: string) =>
        text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, e: string) => {
          if (e.startsWith('inputs.')) return values[e.slice(7)] ?? '';
          if (e === 'github.action_path') return ROOT.replace(/\/$/, '');
          const out = /^steps\.(\w+)\.outputs\.([\w-]+)$/.exec(e);
          if (out) return outputs[`${out[1]}.${out[2]}`] ?? '';
          throw new Error(`the test does not know the expression ${e}`);
        });
      const codes: (number | null)[] = [];
      let stderr = '';
      for (const [i, step] of action.runs.steps.entries()) {
        if (!step.run) continue;
        if (step.if && step.if !== "github.event_name == 'pull_request' || github.event_name == 'pull_request_target'") throw new Error(`unexpected if: ${step.if}`);
        const script = join(run, `step-${i}.sh`);
        writeFileSync(script, step.run);
        const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expr(v)]));
        writeFileSync(output, '');
        const r = await run_(['--noprofile', '--norc', '-eo', 'pipefail', script], {
          ...env,
          PATH: `${bin}:${process.env.PATH}`,
          GITHUB_API_URL: gh.url,
          GITHUB_REPOSITORY: 'org/app',
          GITHUB_EVENT_NAME: 'pull_request',
          GITHUB_EVENT_PATH: event,
          GITHUB_OUTPUT: output,
          GITHUB_STEP_SUMMARY: summary,
          RUNNER_TEMP: run,
          DOCKER_CONFIG: emptyDockerConfig(),
          XDG_CACHE_HOME: join(run, 'cache'),
        });
        codes.push(r.code);
        stderr += r.stderr;
        for (const line of readFileSync(output, 'utf8').split('\n')) {
          const m = /^([\w-]+)=(.*)$/.exec(line);
          if (m && step.id) outputs[`${step.id}.${m[1]}`] = m[2] as string;
        }
        if (r.code !== 0) break;
      }
      return { codes, stderr, npmArgs: readFileSync(join(run, 'npm-args'), 'utf8').trim(), summary: readFileSync(summary, 'utf8') };
    }
    const run_ = (args: string[], env: Record<string, string>) => run('bash', args, env);

    it('posts one comment with the sizes, fails the job with exit 3 over max-increase, and updates the comment on the next push', async () => {
      const baseRef = `${reg.host}/org/app:main`;
      const prRef = `${reg.host}/org/app:pr-9`;
      const r = await runAction({ base: baseRef, image: prRef, 'max-increase': '5%', version: '0.1.0' });
      // install, measure, comment: 0; the gate step: 3.
      assert.deepEqual(r.codes, [0, 0, 0, 3], r.stderr);
      assert.equal(r.npmArgs, 'install --global --no-fund --no-audit regsize@0.1.0');
      const grew = size(pr) - size(main);
      assert.match(r.stderr, new RegExp(`larger than ${baseRef.replace(/\./g, '\\.')}; --max-increase 5%`));
      const marked = gh.comments.filter((c) => c.body.includes(MARKER));
      assert.equal(marked.length, 1);
      const comment = marked[0]?.body as string;
      assert.ok(comment.startsWith(`${MARKER}\n### Image size: \`${prRef}\` against \`${baseRef}\``), comment);
      assert.match(comment, /\*\*Failed:\*\* larger than `--max-increase 5%` allows\./);
      assert.ok(comment.includes(`+${formatBytes(grew)}`), comment);
      assert.ok(comment.includes('<details>'), comment);
      assert.equal(r.summary, comment.slice(MARKER.length + 1), 'the job summary shows the same markdown');
      assert.ok(gh.requests.every((q) => q.token === `Bearer ${GH_TOKEN}`));

      // The next push fixes the growth: the same comment now says it is within the gate.
      await pushImage(reg, 'org/app', 'pr-9', main);
      const again = await runAction({ base: baseRef, image: prRef, 'max-increase': '5%' });
      assert.deepEqual(again.codes, [0, 0, 0, 0], again.stderr);
      assert.equal(again.npmArgs, 'install --global --no-fund --no-audit regsize@latest');
      const after = gh.comments.filter((c) => c.body.includes(MARKER));
      assert.deepEqual(after.map((c) => c.id), marked.map((c) => c.id), 'updated, not duplicated');
      assert.match(after[0]?.body as string, /\*\*Passed:\*\* within `--max-increase 5%`\./);
      assert.equal(gh.comments.length, 2);
      await pushImage(reg, 'org/app', 'pr-9', pr);
    });

    it('the GitLab CI template runs the same scripts and writes one merge-request note', async () => {
      const job = (parse(readFileSync(join(ROOT, 'ci/gitlab/regsize.gitlab-ci.yml'), 'utf8')) as { regsize: { script: string[]; variables: Record<string, string>; rules: { if: string }[] } }).regsize;
      assert.deepEqual(job.rules, [{ if: '$CI_MERGE_REQUEST_IID' }]);
      const gl = await startFakeCodeHost('gitlab', { path: '/api/v4/projects/42/merge_requests/5/notes' });
      const work = mkdtempSync(join(dir, 'gitlab-'));
      try {
        // `npm install` is a stand-in (no registry here); `npm root --global` names a folder
        // where this checkout is the installed package, as npm would lay it out.
        const bin = join(work, 'bin');
        const globalRoot = join(work, 'lib');
        mkdirSync(bin);
        mkdirSync(globalRoot);
        symlinkSync(ROOT, join(globalRoot, 'regsize'));
        writeFileSync(join(bin, 'regsize'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
        writeFileSync(join(bin, 'npm'), `#!/bin/sh\ncase "$1" in root) echo "${globalRoot}" ;; *) printf '%s\\n' "$*" > "${work}/npm-args" ;; esac\n`);
        chmodSync(join(bin, 'regsize'), 0o755);
        chmodSync(join(bin, 'npm'), 0o755);
        const script = join(work, 'job.sh');
        writeFileSync(script, job.script.join('\n'));
        const env = {
          ...job.variables,
          REGSIZE_BASE: `${reg.host}/org/app:main`,
          REGSIZE_IMAGE: `${reg.host}/org/app:pr-9`,
          REGSIZE_MAX_INCREASE: '5%',
          PATH: `${bin}:${process.env.PATH}`,
          CI_API_V4_URL: `${gl.url}/api/v4`,
          CI_PROJECT_ID: '42',
          CI_MERGE_REQUEST_IID: '5',
          REGSIZE_GITLAB_TOKEN: 'glpat-regsizeTest0000',
          DOCKER_CONFIG: emptyDockerConfig(),
          XDG_CACHE_HOME: join(work, 'cache'),
        };
        const first = await run('bash', ['-eo', 'pipefail', script], env, work);
        assert.equal(first.code, 3, first.stderr);
        assert.equal(readFileSync(join(work, 'npm-args'), 'utf8').trim(), 'install --global --no-fund --no-audit regsize@latest');
        const second = await run('bash', ['-eo', 'pipefail', script], { ...env, REGSIZE_MAX_INCREASE: '90%' }, work);
        assert.equal(second.code, 0, second.stderr);
        const notes = gl.comments.filter((c) => c.body.includes(MARKER));
        assert.equal(notes.length, 1);
        assert.match(notes[0]?.body as string, /\*\*Passed:\*\* within `--max-increase 90%`\./);
        assert.ok(gl.requests.every((q) => q.token === 'glpat-regsizeTest0000'));
      } finally {
        await gl.close();
      }
    });
  });
});

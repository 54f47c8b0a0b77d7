import assert from 'node:assert/strict';
import { closeCommand } from '../../src/cli/command-typo.js';
import { editDistance } from '../../src/util/edit-distance.js';
import { routeArgs } from '../../src/cli/route.js';
import { isRegsizeError } from '../../src/errors.js';
import { spawnCli } from '../helpers/cli.js';

const IDS = ['compare', 'diff', 'layers', 'tags', 'ecr:audit', 'report', 'report:history'];

function refused(args: string[]): string {
  try {
    routeArgs(args, IDS);
  } catch (e) {
    assert.ok(isRegsizeError(e) && e.code === 'INVALID_INPUT', String(e));
    return e.message;
  }
  assert.fail(`${args.join(' ')} was routed, not refused`);
}

describe('default command routing', () => {
  it('sends image references to compare', () => {
    assert.deepEqual(routeArgs(['python:3.11-slim', 'python:3.11-alpine'], IDS), ['compare', 'python:3.11-slim', 'python:3.11-alpine']);
    assert.deepEqual(routeArgs(['alpine', 'nginx'], IDS), ['compare', 'alpine', 'nginx']);
    assert.deepEqual(routeArgs(['--json', 'alpine'], IDS), ['compare', '--json', 'alpine']);
  });
  it('leaves commands, topics, help and version alone', () => {
    assert.deepEqual(routeArgs(['layers', 'python'], IDS), ['layers', 'python']);
    assert.deepEqual(routeArgs(['ecr', 'audit'], IDS), ['ecr', 'audit']);
    assert.deepEqual(routeArgs(['report', '--config', 'x.yaml'], IDS), ['report', '--config', 'x.yaml']);
    assert.deepEqual(routeArgs(['--help'], IDS), ['--help']);
    assert.deepEqual(routeArgs(['--version'], IDS), ['--version']);
    assert.deepEqual(routeArgs([], IDS), ['--help']);
    assert.deepEqual(routeArgs(['help'], IDS), ['--help']);
    assert.deepEqual(routeArgs(['help', 'tags'], IDS), ['tags', '--help']);
    assert.deepEqual(routeArgs(['help', 'ecr', 'audit'], IDS), ['ecr', 'audit', '--help']);
  });
  it('reads -h as --help, but not after --', () => {
    assert.deepEqual(routeArgs(['-h'], IDS), ['--help']);
    assert.deepEqual(routeArgs(['layers', '-h'], IDS), ['layers', '--help']);
    assert.deepEqual(routeArgs(['alpine', '--', '-h'], IDS), ['compare', 'alpine', '--', '-h']);
  });

  describe('a mistyped command is not an image', () => {
    it('refuses a word close to a command, suggesting it and the way to size such an image', () => {
      assert.equal(refused(['comapre', 'python']), 'unknown command "comapre"; did you mean "compare"? (to size an image named comapre, write docker.io/library/comapre)');
      assert.match(refused(['layer', 'python']), /^unknown command "layer"; did you mean "layers"\?/);
      assert.match(refused(['tag', 'python']), /^unknown command "tag"; did you mean "tags"\?/);
      assert.match(refused(['dif', 'a', 'b']), /did you mean "diff"\?/);
      assert.match(refused(['Compare', 'a']), /did you mean "compare"\?/);
      assert.match(refused(['help', 'comapre']), /did you mean "compare"\?/);
    });
    it('refuses a mistyped subcommand of a topic', () => {
      assert.equal(refused(['ecr', 'audti', 'team/app']), 'unknown command "ecr audti"; did you mean "ecr audit"?');
      assert.equal(refused(['report', 'histroy', 'x']), 'unknown command "report histroy"; did you mean "report history"?');
      assert.equal(refused(['ecr', 'foo']), 'unknown command "ecr foo"; its commands: "ecr audit"');
    });
    it('never takes a reference with a registry, path, tag or digest for a command', () => {
      assert.deepEqual(routeArgs(['docker.io/library/comapre'], IDS), ['compare', 'docker.io/library/comapre']);
      assert.deepEqual(routeArgs(['layer:1.0'], IDS), ['compare', 'layer:1.0']);
      assert.deepEqual(routeArgs(['org/tags'], IDS), ['compare', 'org/tags']);
    });
    it('leaves the names of popular images to compare', () => {
      const images = ['alpine', 'nginx', 'redis', 'node', 'python', 'golang', 'busybox', 'ubuntu', 'debian', 'postgres', 'mysql', 'mongo', 'httpd', 'memcached', 'traefik',
        'rabbitmq', 'registry', 'consul', 'vault', 'tomcat', 'jenkins', 'rust', 'ruby', 'php', 'perl', 'gcc', 'fedora', 'centos', 'haproxy', 'caddy', 'kong', 'ghost',
        'mariadb', 'solr', 'flink', 'spark', 'storm', 'julia', 'swift', 'erlang', 'elixir', 'gradle', 'maven', 'docker', 'bash', 'eclipse-temurin', 'hello-world', 'amazonlinux',
        'openjdk', 'pypy', 'nats', 'odoo', 'rocket.chat', 'telegraf', 'chronograf', 'kapacitor', 'influxdb', 'couchdb', 'neo4j', 'plone', 'redmine', 'matomo', 'xwiki', 'yourls'];
      for (const image of images) assert.deepEqual(routeArgs([image], IDS), ['compare', image], image);
    });
    it('measures edits with adjacent swaps as one', () => {
      assert.equal(editDistance('comapre', 'compare'), 1);
      assert.equal(editDistance('layer', 'layers'), 1);
      assert.equal(editDistance('', 'abc'), 3);
      assert.equal(editDistance('kitten', 'sitting'), 3);
      assert.equal(closeCommand('layres', ['layers', 'tags']), 'layers');
      assert.equal(closeCommand('zzzz', ['tags']), undefined);
    });
  });

  it('bin/run.js: a typo exits 2 with one line on stderr and asks no registry', async () => {
    const r = await spawnCli(['comapre', 'python:3.11']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'regsize: unknown command "comapre"; did you mean "compare"? (to size an image named comapre, write docker.io/library/comapre)\n');
  });
});

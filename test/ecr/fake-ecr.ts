/**
 * A fake of the ECR API for tests: the AWS JSON 1.1 protocol (`POST /`, the operation in
 * `X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Operation>`, JSON bodies, errors as
 * `{"__type", "message"}` with HTTP 400), shaped like the API reference's examples, with the
 * rules the real service enforces that regsize must respect: at most 100 image ids per
 * BatchGetImage, manifests only in an accepted media type, pages of DescribeImages and
 * DescribeRepositories linked by nextToken. It answers through nock (in-process) or a
 * loopback node:http server (for --endpoint-url), and records every call.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';

export const TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';
export const ACCOUNT = '123456789012';
/** What test code sets as AWS_ACCESS_KEY_ID: requests must be signed with it. */
export const FAKE_ACCESS_KEY = 'AKIAREGSIZETESTKEY01';

export interface FakeImage {
  manifest: string;
  mediaType: string;
  tags?: string[];
  /** imageSizeInBytes; default: sum of the manifest's layer sizes. */
  size?: number;
  pushedAt?: Date;
  lastPulledAt?: Date;
  subjectDigest?: string;
}

export interface FakeRepository {
  name: string;
  images: FakeImage[];
}

export interface Call {
  operation: string;
  body: Record<string, unknown>;
  authorization: string;
}

export function digestOf(manifest: string): string {
  return `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
}

/** An OCI image manifest naming layers of the given digests and sizes. */
export function imageManifest(layers: { digest: string; size: number }[], mediaType = 'application/vnd.oci.image.manifest.v1+json'): string {
  const layerType = mediaType.includes('docker') ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.oci.image.layer.v1.tar+gzip';
  const configType = mediaType.includes('docker') ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json';
  const config = { mediaType: configType, digest: `sha256:${createHash('sha256').update(JSON.stringify(layers)).digest('hex')}`, size: 1000 };
  return JSON.stringify({ schemaVersion: 2, mediaType, config, layers: layers.map((l) => ({ mediaType: layerType, ...l })) }, null, 2);
}

export function indexManifest(children: string[], mediaType = 'application/vnd.oci.image.index.v1+json'): string {
  const childType = mediaType.includes('docker') ? 'application/vnd.docker.distribution.manifest.v2+json' : 'application/vnd.oci.image.manifest.v1+json';
  return JSON.stringify({ schemaVersion: 2, mediaType, manifests: children.map((digest, i) => ({ mediaType: childType, digest, size: 500 + i, platform: { os: 'linux', architecture: i % 2 ? 'arm64' : 'amd64' } })) }, null, 2);
}

/** A layer digest from a name, so tests can write layer lists by name. */
export function layerDigest(name: string): string {
  return `sha256:${createHash('sha256').update(`layer:${name}`).digest('hex')}`;
}

function layersOf(manifest: string): { digest: string; size: number }[] {
  const doc = JSON.parse(manifest) as { layers?: { digest: string; size: number }[] };
  return doc.layers ?? [];
}

const seconds = (d: Date | undefined) => (d ? d.getTime() / 1000 : undefined);

export class FakeEcr {
  readonly calls: Call[] = [];
  /** Operations to answer with ThrottlingException this many more times before answering. */
  readonly throttle = new Map<string, number>();
  /** Operations answered with AccessDeniedException for this principal ARN. */
  readonly deny = new Map<string, string>();
  /** Operations answered with this AWS error (`__type` and message), with HTTP 400 unless `status` says otherwise. */
  readonly fail = new Map<string, { type: string; message: string; status?: number }>();
  /**
   * A hostile or broken endpoint (issue #11): listings of these operations never end (every
   * page brings new items and a new nextToken); and BatchGetImage answers every digest it
   * does not hold with a new index of `indexFanOut` new children. `endlessRepository` limits
   * the endless DescribeImages to that one repository.
   */
  readonly hostile: { endlessPages: Set<'DescribeImages' | 'DescribeRepositories'>; endlessRepository?: string; indexFanOut?: number } = { endlessPages: new Set() };
  private fresh = 0;
  /** The token GetAuthorizationToken hands out: "AWS:<password>". */
  password = 'ecr-password-0123456789abcdef';
  tokenLifetimeMs = 12 * 3600_000;

  constructor(
    readonly repositories: FakeRepository[],
    readonly options: { imagesPerPage?: number; repositoriesPerPage?: number; region?: string } = {},
  ) {}

  get region(): string {
    return this.options.region ?? 'eu-west-1';
  }

  count(operation: string): number {
    return this.calls.filter((c) => c.operation === operation).length;
  }

  handle(target: string | undefined, rawBody: string, authorization = ''): { status: number; body: unknown } {
    if (!target?.startsWith(TARGET_PREFIX)) return error(400, 'UnknownOperationException', `unknown target ${target}`);
    const operation = target.slice(TARGET_PREFIX.length);
    const body = (rawBody ? JSON.parse(rawBody) : {}) as Record<string, unknown>;
    this.calls.push({ operation, body, authorization });
    const throttles = this.throttle.get(operation) ?? 0;
    if (throttles > 0) {
      this.throttle.set(operation, throttles - 1);
      return error(400, 'ThrottlingException', 'Rate exceeded');
    }
    const failure = this.fail.get(operation);
    if (failure) return error(failure.status ?? 400, failure.type, failure.message);
    const principal = this.deny.get(operation);
    if (principal) {
      const repo = typeof body.repositoryName === 'string' ? `repository/${body.repositoryName}` : 'repository/*';
      return error(400, 'AccessDeniedException', `User: ${principal} is not authorized to perform: ecr:${operation} on resource: arn:aws:ecr:${this.region}:${ACCOUNT}:${repo} because no identity-based policy allows the ecr:${operation} action`);
    }
    switch (operation) {
      case 'GetAuthorizationToken':
        return {
          status: 200,
          body: {
            authorizationData: [
              {
                authorizationToken: Buffer.from(`AWS:${this.password}`).toString('base64'),
                expiresAt: (Date.now() + this.tokenLifetimeMs) / 1000,
                proxyEndpoint: `https://${ACCOUNT}.dkr.ecr.${this.region}.amazonaws.com`,
              },
            ],
          },
        };
      case 'DescribeRepositories':
        return this.describeRepositories(body);
      case 'DescribeImages':
        return this.describeImages(body);
      case 'BatchGetImage':
        return this.batchGetImage(body);
      default:
        return error(400, 'UnknownOperationException', operation);
    }
  }

  private repo(body: Record<string, unknown>): FakeRepository | { status: number; body: unknown } {
    const repo = this.repositories.find((r) => r.name === body.repositoryName);
    if (!repo) {
      return error(400, 'RepositoryNotFoundException', `The repository with name '${String(body.repositoryName)}' does not exist in the registry with id '${ACCOUNT}'`);
    }
    return repo;
  }

  /** A name or digest never handed out before. */
  private newName(kind: string): string {
    return `${kind}-${++this.fresh}`;
  }

  private describeRepositories(body: Record<string, unknown>) {
    const per = Math.min(Number(body.maxResults ?? 100), this.options.repositoriesPerPage ?? 100);
    const endless = this.hostile.endlessPages.has('DescribeRepositories');
    const start = endless ? 0 : Number(body.nextToken ?? 0);
    const page = endless ? Array.from({ length: per }, () => ({ name: this.newName('repo'), images: [] })) : this.repositories.slice(start, start + per);
    const next = endless ? this.newName('token') : start + per < this.repositories.length ? String(start + per) : undefined;
    return {
      status: 200,
      body: {
        repositories: page.map((r) => ({
          repositoryArn: `arn:aws:ecr:${this.region}:${ACCOUNT}:repository/${r.name}`,
          registryId: ACCOUNT,
          repositoryName: r.name,
          repositoryUri: `${ACCOUNT}.dkr.ecr.${this.region}.amazonaws.com/${r.name}`,
          createdAt: 1_700_000_000,
          imageTagMutability: 'MUTABLE',
        })),
        ...(next ? { nextToken: next } : {}),
      },
    };
  }

  private describeImages(body: Record<string, unknown>) {
    const repo = this.repo(body);
    if ('status' in repo) return repo;
    const max = Number(body.maxResults ?? 100);
    if (max < 1 || max > 1000) return error(400, 'InvalidParameterException', 'maxResults must be between 1 and 1000');
    const per = Math.min(max, this.options.imagesPerPage ?? 100);
    const endless = this.hostile.endlessPages.has('DescribeImages') && (this.hostile.endlessRepository ?? repo.name) === repo.name;
    const start = endless ? 0 : Number(body.nextToken ?? 0);
    const page: FakeImage[] = endless
      ? Array.from({ length: per }, () => ({ manifest: imageManifest([{ digest: layerDigest(this.newName('layer')), size: 1000 }]), mediaType: 'application/vnd.oci.image.manifest.v1+json' }))
      : repo.images.slice(start, start + per);
    const next = endless ? this.newName('token') : start + per < repo.images.length ? String(start + per) : undefined;
    return {
      status: 200,
      body: {
        imageDetails: page.map((i) => ({
          registryId: ACCOUNT,
          repositoryName: repo.name,
          imageDigest: digestOf(i.manifest),
          ...(i.tags?.length ? { imageTags: i.tags } : {}),
          imageSizeInBytes: i.size ?? layersOf(i.manifest).reduce((s, l) => s + l.size, 0),
          imagePushedAt: seconds(i.pushedAt) ?? 1_700_000_000,
          ...(i.lastPulledAt ? { lastRecordedPullTime: seconds(i.lastPulledAt) } : {}),
          imageManifestMediaType: i.mediaType,
          ...(i.subjectDigest ? { subjectManifestDigest: i.subjectDigest } : {}),
        })),
        ...(next ? { nextToken: next } : {}),
      },
    };
  }

  private batchGetImage(body: Record<string, unknown>) {
    const repo = this.repo(body);
    if ('status' in repo) return repo;
    const ids = (body.imageIds ?? []) as { imageDigest?: string; imageTag?: string }[];
    if (ids.length < 1 || ids.length > 100) return error(400, 'InvalidParameterException', `imageIds must hold 1 to 100 entries, not ${ids.length}`);
    const accepted = (body.acceptedMediaTypes ?? ['application/vnd.docker.distribution.manifest.v2+json']) as string[];
    const images: unknown[] = [];
    const failures: unknown[] = [];
    for (const id of ids) {
      const image = repo.images.find((i) => digestOf(i.manifest) === id.imageDigest);
      const fanOut = this.hostile.indexFanOut;
      if (!image && fanOut) {
        const children = Array.from({ length: fanOut }, () => digestOf(this.newName('child')));
        images.push({ registryId: ACCOUNT, repositoryName: repo.name, imageId: { imageDigest: id.imageDigest }, imageManifest: indexManifest(children), imageManifestMediaType: 'application/vnd.oci.image.index.v1+json' });
      } else if (!image) failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
      else if (!accepted.includes(image.mediaType)) failures.push({ imageId: id, failureCode: 'UnsupportedImageType', failureReason: `Manifest media type ${image.mediaType} not accepted` });
      else images.push({ registryId: ACCOUNT, repositoryName: repo.name, imageId: { imageDigest: id.imageDigest }, imageManifest: image.manifest, imageManifestMediaType: image.mediaType });
    }
    return { status: 200, body: { images, failures } };
  }
}

function error(status: number, type: string, message: string) {
  return { status, body: { __type: type, message } };
}

/** The fake answering at https://api.ecr.<region>.amazonaws.com through nock. */
export function nockEcrApi(fake: FakeEcr, origin = `https://api.ecr.${fake.region}.amazonaws.com`): nock.Scope {
  return nock(origin)
    .persist()
    .post('/')
    .reply(function (_uri, body) {
      const headers = this.req.headers;
      const target = headers['x-amz-target'] as string | undefined;
      const contentType = String(headers['content-type'] ?? '');
      if (contentType !== 'application/x-amz-json-1.1') return [400, JSON.stringify({ __type: 'SerializationException', message: `content-type ${contentType}` })];
      const answer = fake.handle(target, typeof body === 'string' ? body : JSON.stringify(body), String(headers.authorization ?? ''));
      return [answer.status, JSON.stringify(answer.body), { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'test-request' }];
    });
}

export interface EcrServer {
  url: string;
  /** The most requests that were in flight at once. */
  readonly maxInFlight: number;
  close(): Promise<void>;
}

/** The fake on a loopback HTTP server, as a VPC endpoint or LocalStack would serve it. */
export async function startEcrServer(fake: FakeEcr, options: { delayMs?: number } = {}): Promise<EcrServer> {
  let inFlight = 0;
  let maxInFlight = 0;
  const server: Server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer =
        req.method === 'POST' && req.url === '/'
          ? fake.handle(req.headers['x-amz-target'] as string | undefined, Buffer.concat(chunks).toString('utf8'), String(req.headers.authorization ?? ''))
          : { status: 404, body: { message: 'not found' } };
      setTimeout(() => {
        inFlight--;
        res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(answer.body));
      }, options.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get maxInFlight() {
      return maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Fake static credentials in the environment, no shared config, no instance metadata. */
export function fakeAwsEnvironment(): () => void {
  const keys = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_EC2_METADATA_DISABLED', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_ECR', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_MAX_ATTEMPTS', 'AWS_RETRY_MODE'];
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  for (const k of keys) delete process.env[k];
  process.env.AWS_ACCESS_KEY_ID = FAKE_ACCESS_KEY;
  process.env.AWS_SECRET_ACCESS_KEY = 'regsize-test-secret-key-not-real-0000000000';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.AWS_CONFIG_FILE = '/nonexistent/regsize-test/config';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/regsize-test/credentials';
  return () => {
    for (const k of keys) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  };
}

/** In a describe block: a fresh fake AWS environment for every test, and nock cleaned after it. */
export function useFakeAwsEnvironment(): void {
  let restore: () => void = () => {};
  beforeEach(() => {
    restore = fakeAwsEnvironment();
  });
  afterEach(() => {
    nock.cleanAll();
    restore();
  });
}

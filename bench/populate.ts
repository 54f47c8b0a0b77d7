/**
 * The image set the benchmark measures, pushed to the real registry through its HTTP API with
 * the test helpers: multi-platform OCI indexes (4 platforms plus BuildKit attestation entries,
 * as Docker Hub's official images carry), 5 to 12 layers per image with configs and
 * histories, base layers shared between images as they are on Docker Hub. Blob bodies are
 * small (a few kB): only manifests cross the slow link, and their size is realistic.
 *
 *   compare set  6 images in 4 repositories (two repositories hold two of them)
 *   tags set     library/redis with 40 tags over 18 indexes: releases and their aliases (7.4, 7, latest, ...)
 */
import { makeImage, makeIndex, makeRandomLayer, pushIndex, type Image, type Layer, type Platform } from '../test/helpers/images.js';
import { pushManifest, type RegistryTarget } from '../test/helpers/push.js';
import { mapLimit } from '../src/util/limit.js';

/** The platform every tool is asked for, so the run means the same on an arm64 machine. */
export const BENCH_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

const PLATFORMS: Platform[] = [
  BENCH_PLATFORM,
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
  { os: 'linux', architecture: 'arm', variant: 'v7' },
  { os: 'linux', architecture: 'ppc64le' },
];

type Base = 'debian' | 'alpine';

export interface ImageRecipe {
  repo: string;
  tag: string;
  base: Base;
  /** One layer per step, on top of the base layer. */
  steps: string[];
  env: string[];
  cmd: string[];
}

const BASE_STEP: Record<Base, string> = {
  debian: '# debian.sh --arch "${ARCH}" out/ "bookworm" "@1718668800"',
  alpine: 'ADD alpine-minirootfs-3.20.3.tar.gz / # buildkit',
};

const COMPARE_SET: ImageRecipe[] = [
  {
    repo: 'library/python',
    tag: '3.12-slim',
    base: 'debian',
    steps: ['ENV PYTHON_VERSION=3.12.7', 'RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates netbase tzdata', 'RUN set -eux; savedAptMark=...; ./configure --enable-optimizations', 'RUN make -j "$(nproc)" && make install', 'RUN find /usr/local -depth -name __pycache__ -exec rm -rf {} +', 'RUN ldconfig && python3 --version', 'RUN for src in idle3 pydoc3 python3 python3-config; do ln -svT "$src" "/usr/local/bin/${src%3}"; done', 'RUN pip --version'],
    env: ['PYTHON_VERSION=3.12.7', 'LANG=C.UTF-8'],
    cmd: ['python3'],
  },
  {
    repo: 'library/python',
    tag: '3.12-alpine',
    base: 'alpine',
    steps: ['RUN apk add --no-cache ca-certificates tzdata', 'RUN set -eux; apk add --no-cache --virtual .build-deps gcc libc-dev make', 'RUN ./configure --enable-shared --with-lto && make -j "$(nproc)"', 'RUN make install && apk del --no-network .build-deps', 'RUN find /usr/local -depth -name __pycache__ -exec rm -rf {} +', 'RUN python3 --version && pip --version'],
    env: ['PYTHON_VERSION=3.12.7', 'LANG=C.UTF-8'],
    cmd: ['python3'],
  },
  {
    repo: 'library/node',
    tag: '22-slim',
    base: 'debian',
    steps: ['RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node', 'RUN ARCH= && dpkgArch="$(dpkg --print-architecture)" && curl -fsSLO --compressed "https://nodejs.org/dist/v22.11.0/node-v22.11.0-linux-$ARCH.tar.xz"', 'RUN set -ex && for key in ...; do gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys "$key"; done', 'RUN curl -fsSLO --compressed "https://yarnpkg.com/downloads/1.22.22/yarn-v1.22.22.tar.gz"', 'COPY docker-entrypoint.sh /usr/local/bin/ # buildkit'],
    env: ['NODE_VERSION=22.11.0', 'YARN_VERSION=1.22.22'],
    cmd: ['node'],
  },
  {
    repo: 'library/node',
    tag: '22-alpine',
    base: 'alpine',
    steps: ['RUN addgroup -g 1000 node && adduser -u 1000 -G node -s /bin/sh -D node', 'RUN apk add --no-cache libstdc++ && curl -fsSLO --compressed "https://unofficial-builds.nodejs.org/download/release/v22.11.0/node-v22.11.0-linux-x64-musl.tar.xz"', 'RUN apk add --no-cache --virtual .build-deps-yarn curl gnupg tar && yarn --version', 'COPY docker-entrypoint.sh /usr/local/bin/ # buildkit'],
    env: ['NODE_VERSION=22.11.0', 'YARN_VERSION=1.22.22'],
    cmd: ['node'],
  },
  {
    repo: 'library/golang',
    tag: '1.23-bookworm',
    base: 'debian',
    steps: ['RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl netbase wget', 'RUN set -ex; apt-get install -y --no-install-recommends git mercurial openssh-client subversion procps', 'RUN apt-get install -y --no-install-recommends autoconf automake bzip2 dpkg-dev file g++ gcc', 'RUN apt-get install -y --no-install-recommends libbz2-dev libc6-dev libcurl4-openssl-dev libdb-dev', 'RUN apt-get install -y --no-install-recommends libffi-dev libgdbm-dev libglib2.0-dev libgmp-dev', 'RUN apt-get install -y --no-install-recommends pkg-config && rm -rf /var/lib/apt/lists/*', 'ENV GOLANG_VERSION=1.23.3', 'COPY /target/ / # buildkit', 'RUN mkdir -p "$GOPATH/src" "$GOPATH/bin" && chmod -R 1777 "$GOPATH"', 'WORKDIR /go', 'RUN go version'],
    env: ['GOLANG_VERSION=1.23.3', 'GOTOOLCHAIN=local', 'GOPATH=/go'],
    cmd: ['bash'],
  },
  {
    repo: 'library/nginx',
    tag: '1.27-alpine',
    base: 'alpine',
    steps: ['RUN set -x && addgroup -g 101 -S nginx && adduser -S -D -H -u 101 -h /var/cache/nginx -s /sbin/nologin -G nginx nginx', 'COPY docker-entrypoint.sh / # buildkit', 'COPY 10-listen-on-ipv6-by-default.sh /docker-entrypoint.d # buildkit', 'RUN apk add --no-cache nginx-module-njs=${NGINX_VERSION}.${NJS_VERSION}-r${NJS_RELEASE}'],
    env: ['NGINX_VERSION=1.27.2', 'NJS_VERSION=0.8.7'],
    cmd: ['nginx', '-g', 'daemon off;'],
  },
];

export interface PushedImage {
  /** repository:tag, as typed after the registry host. */
  ref: string;
  repo: string;
  indexDigest: string;
  /** The BENCH_PLATFORM image manifest. */
  manifestDigest: string;
  compressedSize: number;
  layerCount: number;
}

export interface BenchImages {
  compare: PushedImage[];
  tagsRepo: string;
  /** Every tag of tagsRepo with the index it names and its BENCH_PLATFORM size. */
  tags: { tag: string; indexDigest: string; compressedSize: number }[];
  /** Distinct indexes behind the tags. */
  releases: number;
}

/** A few hundred bytes to a few kB, fixed by the seed, so every run pushes the same digests. */
function layerSize(seed: string): number {
  let h = 0;
  for (const c of seed) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return 400 + (h % 3600);
}

export function layer(seed: string, createdBy: string): Layer {
  return makeRandomLayer({ size: layerSize(seed), seed, createdBy, path: `opt/${seed.replace(/[^a-z0-9.-]/gi, '_')}.bin` });
}

export function platformId(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('-');
}

/** The base OS layer, shared by every image on that base and platform (same digest). */
function baseLayer(base: Base, p: Platform): Layer {
  return layer(`base-${base}-${platformId(p)}`, BASE_STEP[base]);
}

function buildImage(recipe: ImageRecipe, p: Platform, extra: Layer[] = []): Image {
  const layers = [baseLayer(recipe.base, p), ...recipe.steps.map((step, i) => layer(`${recipe.repo}:${recipe.tag}#${i}@${platformId(p)}`, step)), ...extra];
  return makeImage({
    layers,
    platform: p,
    configOverride: {
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...recipe.env], Cmd: recipe.cmd, WorkingDir: '/', Labels: { 'org.opencontainers.image.source': `https://github.com/docker-library/${recipe.repo.split('/').pop()}` } },
    },
  });
}

/** Builds the recipe for every platform and pushes it under its tag and any aliases. */
export async function pushRecipe(reg: RegistryTarget, recipe: ImageRecipe, extra: (p: Platform) => Layer[] = () => [], aliases: string[] = []): Promise<{ indexDigest: string; amd64: Image }> {
  const images = PLATFORMS.map((p) => buildImage(recipe, p, extra(p)));
  const index = makeIndex(images.map((image) => ({ image })), { attestations: true });
  await pushIndex(reg, recipe.repo, recipe.tag, index);
  for (const alias of aliases) await pushManifest(reg, recipe.repo, alias, index.manifest, index.mediaType);
  return { indexDigest: index.digest, amd64: images[0] as Image };
}

/**
 * redis 7.{0,2,4}.{0,1,2} in a bookworm and an alpine flavour (18 indexes), tagged as the
 * official image is: every release also as -bookworm, the newest patch of each minor as 7.N,
 * the newest of all as 7, latest and alpine. 40 tags in all.
 */
function redisReleases(): { recipe: ImageRecipe; aliases: string[] }[] {
  const releases: { recipe: ImageRecipe; aliases: string[] }[] = [];
  const minors = [0, 2, 4];
  const patches = [0, 1, 2];
  for (const minor of minors) {
    for (const patch of patches) {
      for (const base of ['debian', 'alpine'] as const) {
        const version = `7.${minor}.${patch}`;
        const newestPatch = patch === patches[patches.length - 1];
        const newest = newestPatch && minor === minors[minors.length - 1];
        const aliases =
          base === 'debian'
            ? [`${version}-bookworm`, ...(newestPatch ? [`7.${minor}`, `7.${minor}-bookworm`] : []), ...(newest ? ['7', 'latest'] : [])]
            : [...(newestPatch ? [`7.${minor}-alpine`] : []), ...(newest ? ['7-alpine', 'alpine'] : [])];
        releases.push({
          recipe: {
            repo: 'library/redis',
            tag: base === 'alpine' ? `${version}-alpine` : version,
            base,
            steps: ['RUN groupadd -r -g 999 redis && useradd -r -g redis -u 999 redis', `ENV REDIS_VERSION=${version}`, 'RUN make -C /usr/src/redis -j "$(nproc)" all && make -C /usr/src/redis install'],
            env: [`REDIS_VERSION=${version}`],
            cmd: ['redis-server'],
          },
          aliases,
        });
      }
    }
  }
  return releases;
}

/**
 * Images that share base layers are pushed one at a time: two uploads of the same blob racing
 * each other can leave a manifest PUT facing MANIFEST_BLOB_UNKNOWN (seen with distribution 2.8).
 */
export const PUSH_CONCURRENCY = 1;

export async function populate(reg: RegistryTarget): Promise<BenchImages> {
  const compare = await mapLimit(COMPARE_SET, PUSH_CONCURRENCY, async (recipe): Promise<PushedImage> => {
    const { indexDigest, amd64 } = await pushRecipe(reg, recipe);
    return {
      ref: `${recipe.repo}:${recipe.tag}`,
      repo: recipe.repo,
      indexDigest,
      manifestDigest: amd64.manifestDigest,
      compressedSize: amd64.layers.reduce((s, l) => s + l.size, 0),
      layerCount: amd64.layers.length,
    };
  });

  const releases = redisReleases();
  const tags = (
    await mapLimit(releases, PUSH_CONCURRENCY, async ({ recipe, aliases }) => {
      const { indexDigest, amd64 } = await pushRecipe(reg, recipe, (p) => [layer(`redis-data-${recipe.tag}@${platformId(p)}`, 'COPY docker-entrypoint.sh /usr/local/bin/ # buildkit')], aliases);
      const compressedSize = amd64.layers.reduce((s, l) => s + l.size, 0);
      return [recipe.tag, ...aliases].map((tag) => ({ tag, indexDigest, compressedSize }));
    })
  ).flat();
  return { compare, tagsRepo: 'library/redis', tags, releases: releases.length };
}

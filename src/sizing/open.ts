/**
 * One way to open any image input, registry or local:
 *
 *   const [image] = await openImage('oci-archive:app.tar', { client, platform, logger });
 *   for await (const chunk of image.openLayer(image.blobs[0])) ...
 *
 * `openImage` parses the input (src/source/parse.ts: `oci:`, `oci-archive:`, `docker-archive:`,
 * `docker-daemon:`, `docker://`, or a bare registry reference), opens it and resolves the
 * platform, giving one OpenedImage per platform (several only with platform "all"). Each
 * OpenedImage is a LayerReader (src/oci/layer-reader.ts) over its `blobs`, and says its
 * manifest, config and uncompressed sizes (src/sizing/image-source.ts).
 * `sourceFor` is the same without the parsing, for callers that checked every input first.
 */
import { stat } from 'node:fs/promises';
import { RegsizeError } from '../errors.js';
import type { Reference } from '../reference/reference.js';
import { openDockerArchive, type ArchiveOptions } from '../source/docker-archive.js';
import { openDaemonImage } from '../source/docker-daemon.js';
import { directoryStore, tarStore } from '../source/file-store.js';
import type { LocalImage } from '../source/local-image.js';
import { openLayout } from '../source/oci-layout.js';
import { type ImageInput, isLocalInput, type LocalInput, parseImageInput } from '../source/parse.js';
import type { Registry } from '../transport/registry-api.js';
import type { Logger } from '../log.js';
import { type ImageSource, localSource, type OpenedImage, registrySource } from './image-source.js';
import type { PlatformRequest } from './resolve.js';
import type { UncompressedSizer } from './uncompressed.js';

export interface OpenContext {
  client: Registry;
  /** Answers uncompressed sizes of registry images (local ones are always counted exactly). */
  sizer?: UncompressedSizer | undefined;
  /** Progress of compressing docker-archive layers. */
  archive?: ArchiveOptions;
}

async function checkPath(input: LocalInput, kind: 'file' | 'directory'): Promise<void> {
  let s;
  try {
    s = await stat(input.path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `no such ${kind}` : code === 'EACCES' ? 'permission denied' : `cannot read it (${code ?? (e as Error).message})`;
    throw new RegsizeError('INVALID_INPUT', `${input.input}: ${input.path}: ${why}`);
  }
  if (kind === 'file' && !s.isFile()) throw new RegsizeError('INVALID_INPUT', `${input.input}: ${input.path} is not a file; ${input.transport} reads a tar (use oci:${input.path} for a layout directory)`);
  if (kind === 'directory' && !s.isDirectory()) throw new RegsizeError('INVALID_INPUT', `${input.input}: ${input.path} is not a directory; oci: reads a layout directory (use oci-archive:${input.path} for a tar)`);
}

async function loadLocal(input: LocalInput, ctx: OpenContext): Promise<LocalImage> {
  const name = input.input;
  switch (input.transport) {
    case 'oci':
      await checkPath(input, 'directory');
      return openLayout(directoryStore(input.path), input.ref, input.input, name);
    case 'oci-archive':
      await checkPath(input, 'file');
      return openLayout(await tarStore(input.path), input.ref, input.input, name);
    case 'docker-archive':
      await checkPath(input, 'file');
      return openDockerArchive(await tarStore(input.path), input.ref, input.input, name, ctx.archive);
    case 'docker-daemon':
      return openDaemonImage(input.path, input.input, ctx.archive?.onProgress);
  }
}

/** The source for a checked input. */
export function sourceFor(input: ImageInput | Reference, ctx: OpenContext): ImageSource {
  if (isLocalInput(input)) return localSource(input.input, () => loadLocal(input, ctx));
  return registrySource(ctx.client, input, ctx.sizer);
}

export async function openImage(text: string, ctx: OpenContext & { platform: PlatformRequest; logger: Logger }): Promise<OpenedImage[]> {
  return sourceFor(parseImageInput(text), ctx).open(ctx.platform, ctx.logger);
}

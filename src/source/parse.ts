/**
 * Image inputs, named as skopeo and the containers tools name them (containers-transports(5)):
 *
 *   oci:PATH[:REF]                an OCI layout directory; REF a ref.name or a digest
 *   oci-archive:PATH[:REF]        a tar of one
 *   docker-archive:PATH[:NAME:TAG]  docker save / podman save output
 *   docker-daemon:NAME[:TAG]      the local Docker Engine
 *   docker://REF                  a registry, said explicitly
 *   REF                           a registry, as always
 *
 * A prefix is a transport only when it is one of these names, so `localhost:5000/app` and
 * `myregistry:443/x` stay registry references. PATH ends at the first `:`, as in
 * containers/image; a registry image whose name starts like a transport (`oci:1`, say) is
 * sized as `docker://oci:1`.
 */
import { UsageError } from '../errors.js';
import { parseReference, type Reference } from '../reference/reference.js';

export type LocalTransport = 'oci' | 'oci-archive' | 'docker-archive' | 'docker-daemon';

export interface LocalInput {
  readonly transport: LocalTransport;
  /** What the user typed. */
  readonly input: string;
  /** The path, or for docker-daemon the image name. */
  readonly path: string;
  /** REF / NAME:TAG after the path, when given. */
  readonly ref: string | undefined;
}

export type ImageInput = Reference | LocalInput;

const LOCAL: readonly LocalTransport[] = ['oci', 'oci-archive', 'docker-archive', 'docker-daemon'];

export function isLocalInput(i: ImageInput): i is LocalInput {
  return 'transport' in i;
}

export function parseImageInput(input: string): ImageInput {
  if (input.startsWith('docker://')) {
    const ref = parseReference(input.slice('docker://'.length));
    return { ...ref, input };
  }
  const colon = input.indexOf(':');
  const prefix = colon === -1 ? '' : input.slice(0, colon);
  const transport = LOCAL.find((t) => t === prefix);
  if (!transport) return parseReference(input);
  const rest = input.slice(colon + 1);
  if (transport === 'docker-daemon') {
    // NAME[:TAG] or NAME@DIGEST is a reference as docker names images; an image ID also works.
    if (rest === '') throw new UsageError('INVALID_INPUT', `${input}: name the image, e.g. docker-daemon:app:v1`);
    if (/^(sha256:)?[a-f0-9]{12,64}$/.test(rest)) return { transport, input, path: rest, ref: undefined };
    const ref = parseReference(rest);
    return { transport, input, path: rest, ref: ref.tag ?? ref.digest };
  }
  const split = rest.indexOf(':');
  const path = split === -1 ? rest : rest.slice(0, split);
  const ref = split === -1 ? undefined : rest.slice(split + 1);
  if (path === '') throw new UsageError('INVALID_INPUT', `${input}: give the path, e.g. ${transport}:./image${transport === 'oci' ? '' : '.tar'}`);
  if (ref === '') throw new UsageError('INVALID_INPUT', `${input}: nothing after the last ":"; give ${transport === 'docker-archive' ? 'NAME:TAG' : 'REF'} or drop the ":"`);
  if (transport === 'docker-archive' && ref !== undefined) parseReference(ref);
  return { transport, input, path, ref };
}

/**
 * A throwaway certificate authority and a server certificate for 127.0.0.1, made with the
 * openssl CLI, so every tool in the benchmark does a real, verified TLS handshake through
 * the slow link, as it would against a real registry.
 *
 * How each client is made to trust it:
 *   regsize (Node)  NODE_EXTRA_CA_CERTS=<ca.crt>
 *   skopeo          --cert-dir <certDir> (containers/image reads *.crt there as CA roots)
 *   docker CLI      --insecure (it still does the handshake; it only skips verification,
 *                   because the CLI reads CAs only from /etc/docker/certs.d, outside our temp dir)
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface BenchCertificates {
  /** PEM file of the CA (for NODE_EXTRA_CA_CERTS). */
  caFile: string;
  /** Folder holding only ca.crt (for skopeo --cert-dir). */
  certDir: string;
  /** The server's certificate and key, PEM. */
  cert: string;
  key: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd, timeout: 30_000 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`openssl ${args[0]} failed: ${(err.stderr ?? err.message).trim()} (is openssl installed?)`);
  }
}

/** Makes the CA and a leaf for IP 127.0.0.1 / localhost in `dir`, valid for two days. */
export async function makeCertificates(dir: string): Promise<BenchCertificates> {
  await mkdir(dir, { recursive: true });
  // EC keys: quick to generate, and the handshake costs the same round trips as with RSA.
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(['req', '-x509', ...ecKey, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=regsize bench CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  await openssl(['req', ...ecKey, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
  // Go (skopeo, docker) ignores the CN: the address must be in subjectAltName.
  await writeFile(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n');
  await openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext'], dir);

  const certDir = path.join(dir, 'certs.d');
  await mkdir(certDir, { recursive: true });
  const ca = await readFile(path.join(dir, 'ca.crt'));
  await writeFile(path.join(certDir, 'ca.crt'), ca);
  return {
    caFile: path.join(dir, 'ca.crt'),
    certDir,
    cert: await readFile(path.join(dir, 'server.crt'), 'utf8'),
    key: await readFile(path.join(dir, 'server.key'), 'utf8'),
  };
}

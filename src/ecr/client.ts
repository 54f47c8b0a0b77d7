/**
 * The AWS SDK's ECR client, loaded lazily: `@aws-sdk/client-ecr` and its credential chain
 * are imported only when an ECR host or `ecr` command is actually used, so every other
 * command starts without them. What its errors become is decided in ./api-errors.ts.
 *
 * Retries: the SDK's adaptive mode (exponential backoff with jitter plus a client-side rate
 * limiter that slows down after a ThrottlingException), shared by every call of one client.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import { UsageError } from '../errors.js';
import { ecrError, noRegionMessage } from './api-errors.js';
import { REGION_RE } from './hosts.js';

export type EcrSdk = typeof import('@aws-sdk/client-ecr');

let sdk: Promise<EcrSdk> | undefined;

export function loadEcrSdk(): Promise<EcrSdk> {
  // regsize supports Node 20 (package.json engines); the SDK's notice that its releases
  // from 2027 on will need Node 22 is not actionable for a regsize user.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  sdk ??= import('@aws-sdk/client-ecr');
  return sdk;
}

export interface EcrClientOptions {
  /** @default the SDK's: AWS_REGION, AWS_DEFAULT_REGION, then the profile's `region` */
  region?: string | undefined;
  /** A named profile of the shared config (SSO profiles included). @default AWS_PROFILE, then "default" */
  profile?: string | undefined;
  /** Another API endpoint: a VPC interface endpoint, LocalStack. */
  endpointUrl?: string | undefined;
  /** The FIPS API endpoint (api.ecr-fips.<region>.amazonaws.com). */
  fips?: boolean;
  /** Attempts per call, the first included. @default 8 */
  maxAttempts?: number;
  /** Per-request timeout in milliseconds. @default 30000 */
  timeoutMs?: number | undefined;
}

export interface EcrClientHandle {
  client: ECRClient;
  sdk: EcrSdk;
  /** The region the client talks to, as resolved (flag, environment or profile). */
  region: string;
  profile: string | undefined;
}

export function validateRegion(region: string, what = '--region'): string {
  if (!REGION_RE.test(region)) throw new UsageError('INVALID_INPUT', `invalid ${what} "${region}": AWS regions look like eu-west-1 or us-east-2`);
  return region;
}

export function validateEndpointUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError('INVALID_INPUT', `invalid --endpoint-url "${url}": give a full URL, e.g. https://vpce-0abc.api.ecr.eu-west-1.vpce.amazonaws.com or http://localhost:4566`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new UsageError('INVALID_INPUT', `invalid --endpoint-url "${url}": only http and https URLs are supported`);
  return url;
}

/** An ECR API client with the standard credential chain; fails with a usage error when no region can be found. */
export async function createEcrClient(o: EcrClientOptions = {}): Promise<EcrClientHandle> {
  if (o.region !== undefined) validateRegion(o.region);
  if (o.endpointUrl !== undefined) validateEndpointUrl(o.endpointUrl);
  const loaded = await loadEcrSdk();
  const timeoutMs = o.timeoutMs ?? 30_000;
  const client = new loaded.ECRClient({
    ...(o.region ? { region: o.region } : {}),
    ...(o.profile ? { profile: o.profile } : {}),
    ...(o.endpointUrl ? { endpoint: o.endpointUrl } : {}),
    useFipsEndpoint: o.fips ?? false,
    retryMode: 'adaptive',
    maxAttempts: o.maxAttempts ?? 8,
    // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes, and waits on.
    requestHandler: { requestTimeout: timeoutMs, connectionTimeout: Math.min(timeoutMs, 10_000), throwOnRequestTimeout: true },
  });
  let region: string;
  try {
    region = await client.config.region();
  } catch (e) {
    client.destroy();
    throw ecrError(e, { operation: 'config', profile: o.profile });
  }
  if (!region) {
    client.destroy();
    throw noRegion(o.profile);
  }
  if (o.region === undefined) validateRegion(region, `region "${region}" from the AWS environment or profile; region`);
  return { client, sdk: loaded, region, profile: o.profile };
}

function noRegion(profile: string | undefined): UsageError {
  return new UsageError('INVALID_INPUT', noRegionMessage(profile));
}

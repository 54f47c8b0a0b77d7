/**
 * Amazon ECR registry hosts, recognised from the name alone (no SDK, no network), so that
 * every command can tell an ECR reference from any other before deciding to load the AWS SDK.
 *
 *   <account>.dkr.ecr.<region>.amazonaws.com         commercial regions
 *   <account>.dkr.ecr.<region>.amazonaws.com.cn      China regions
 *   <account>.dkr.ecr-fips.<region>.amazonaws.com    FIPS endpoints (US and GovCloud)
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html
 *
 * ECR Public (`public.ecr.aws`) is not one of these: it speaks the generic anonymous token
 * flow and needs no AWS credentials to pull.
 */
export interface EcrHost {
  /** The host as given, lowercased. */
  host: string;
  /** The 12-digit AWS account id that owns the registry. */
  accountId: string;
  region: string;
  fips: boolean;
}

/** Region names as AWS spells them: eu-west-1, us-gov-west-1, cn-north-1, us-isob-east-1. */
export const REGION_RE = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
export const ACCOUNT_ID_RE = /^\d{12}$/;
/**
 * ECR's repository name grammar (API reference, CreateRepository: 2 to 256 characters of
 * `(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*`). The one copy: arguments,
 * the report config and the names the API returns are all held to it.
 */
const REPOSITORY_NAME_RE = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export function isEcrRepositoryName(name: string): boolean {
  return name.length >= 2 && name.length <= 256 && REPOSITORY_NAME_RE.test(name);
}
const ECR_HOST_RE = /^(\d{12})\.dkr\.(ecr|ecr-fips)\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

export const ECR_PUBLIC_HOST = 'public.ecr.aws';

/** The account, region and FIPS-ness of a private ECR registry host, or undefined for any other host. */
export function parseEcrHost(registry: string): EcrHost | undefined {
  const host = registry.toLowerCase();
  const m = ECR_HOST_RE.exec(host);
  if (!m) return undefined;
  const [, accountId, kind, region] = m as unknown as [string, string, string, string];
  if (!REGION_RE.test(region)) return undefined;
  // China regions live under amazonaws.com.cn only, every other region under amazonaws.com.
  if (region.startsWith('cn-') !== host.endsWith('.cn')) return undefined;
  return { host, accountId, region, fips: kind === 'ecr-fips' };
}

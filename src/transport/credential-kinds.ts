/**
 * What regsize can hold for a registry, wherever it came from (the Docker config, a credential
 * helper, ECR's GetAuthorizationToken). Its own file so that the stores and the helper runner
 * both use it without importing each other.
 */
export type Credentials =
  | { kind: 'basic'; username: string; password: string }
  /** OAuth2 refresh token from `docker login` with SSO; exchanged at the token realm. */
  | { kind: 'identity'; username?: string; identityToken: string }
  /** A bearer token to send as-is. */
  | { kind: 'registry-token'; token: string };

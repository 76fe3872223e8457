// The test identity provider: `oidc-provider` (OpenID Certified) on loopback with its
// development login and consent pages. Used by the integration tests (browser-free) and the
// Playwright sign-in test. Not for production: keys and cookie secrets are throwaway.
//
// Environment:
//   QD_IDP_HOST  host name in the issuer URL (default localhost)
//   QD_IDP_PORT  port (default 0: any free port; the chosen issuer is printed as `issuer=<url>`)
//   QD_IDP_REDIRECT_URIS / QD_IDP_POST_LOGOUT_URIS  comma-separated, for the `quarterdeck` client
//   QD_IDP_SIGNING_KEY  `dev` (default): oidc-provider's fixed development key; `fresh`: a new
//                       RSA key with a new key id at every start, so restarting the provider
//                       rotates its signing key (the console's key-rotation test)
import Provider from 'oidc-provider';
import { generateKeyPairSync, randomUUID } from 'node:crypto';

const host = process.env.QD_IDP_HOST ?? 'localhost';
const port = Number(process.env.QD_IDP_PORT ?? 0);
const redirectUris = (process.env.QD_IDP_REDIRECT_URIS ?? 'http://127.0.0.1:3000/auth/callback').split(',');
const postLogoutUris = (process.env.QD_IDP_POST_LOGOUT_URIS ?? 'http://127.0.0.1:3000/login').split(',');

// People and their groups. `teams` carries the same groups but only at the userinfo endpoint,
// so the console's userinfo fall-back can be tested with `groups_claim = "teams"`.
const people = {
  alice: ['platform-team'],
  olga: ['payments-oncall', 'engineers'],
  victor: ['engineers'],
  rita: ['release-managers', 'engineers'],
  mallory: ['marketing'],
};

// Left out, oidc-provider signs with its development key (the same at every start).
function signingKeys() {
  const choice = process.env.QD_IDP_SIGNING_KEY ?? 'dev';
  if (choice === 'dev') return undefined;
  if (choice !== 'fresh') throw new Error(`QD_IDP_SIGNING_KEY: expected dev or fresh, not ${choice}`);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { keys: [{ ...jwk, kid: `fresh-${randomUUID()}`, alg: 'RS256', use: 'sig' }] };
}

const jwks = signingKeys();

const configuration = {
  ...(jwks ? { jwks } : {}),
  clients: [
    {
      client_id: 'quarterdeck',
      client_secret: 'quarterdeck-test-secret',
      redirect_uris: redirectUris,
      post_logout_redirect_uris: postLogoutUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  pkce: { required: () => true, methods: ['S256'] },
  // Put requested claims (groups) into the ID token, not only at userinfo.
  conformIdTokenClaims: false,
  scopes: ['openid', 'profile', 'email', 'groups', 'teams', 'offline_access'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
    teams: ['teams'],
  },
  async findAccount(_ctx, id) {
    if (!Object.hasOwn(people, id)) return undefined;
    return {
      accountId: id,
      async claims(use) {
        const claims = {
          sub: id,
          name: id[0].toUpperCase() + id.slice(1),
          preferred_username: id,
          email: `${id}@example.com`,
          email_verified: true,
          groups: people[id],
        };
        if (use === 'userinfo') claims.teams = people[id];
        return claims;
      },
    };
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  cookies: { keys: ['quarterdeck-test-idp-only'] },
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
};

// The port must be known before the issuer URL is fixed: bind first, then build the provider.
import http from 'node:http';
const server = http.createServer();
server.listen(port, host === 'localhost' ? '127.0.0.1' : host, () => {
  const issuer = `http://${host}:${server.address().port}`;
  const provider = new Provider(issuer, configuration);
  provider.on('server_error', (_ctx, err) => console.error('idp error', err));
  server.on('request', provider.callback());
  console.log(`issuer=${issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

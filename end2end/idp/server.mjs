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
//   QD_IDP_TEST_ACCOUNTS  `1`: tests may set an account's claims with
//                       `PUT /test/accounts/<sub>` and a JSON body (`preferred_username`, `email`,
//                       `email_verified`, `groups`; absent ones are left out of the claims), so a
//                       test can rename a person (same sub, new name) or give two people one
//                       name. The sign-in name is the sub. Off unless set: never in a demo.
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

// Accounts a test set through `PUT /test/accounts/<sub>`: the sub and the claims to send.
const testAccounts = new Map();
const testAccountsOn = process.env.QD_IDP_TEST_ACCOUNTS === '1';

// Reads a JSON body of at most 64 KiB.
function readJson(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 65536) reject(new Error('body too large'));
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(body || '{}'));
      } catch (e) {
        reject(e);
      }
    });
    req.on('error', reject);
  });
}

// `PUT /test/accounts/<sub>`: sets (or replaces) that account's claims. True when it answered.
async function testAccountRoute(req, res) {
  if (!testAccountsOn || !req.url.startsWith('/test/accounts/')) return false;
  const sub = decodeURIComponent(req.url.slice('/test/accounts/'.length));
  if (req.method !== 'PUT' || !sub) {
    res.writeHead(405).end();
    return true;
  }
  try {
    const body = await readJson(req);
    const claims = {};
    for (const key of ['preferred_username', 'email', 'email_verified', 'name']) {
      if (body[key] !== undefined) claims[key] = body[key];
    }
    claims.groups = Array.isArray(body.groups) ? body.groups : [];
    testAccounts.set(sub, claims);
    res.writeHead(204).end();
  } catch (e) {
    res.writeHead(400, { 'content-type': 'text/plain' }).end(String(e));
  }
  return true;
}

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
    if (testAccounts.has(id)) {
      return {
        accountId: id,
        // Read at each sign-in: a rename between two sign-ins shows in the second.
        async claims(use) {
          const claims = { sub: id, ...testAccounts.get(id) };
          if (use === 'userinfo') claims.teams = claims.groups;
          return claims;
        },
      };
    }
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
  const callback = provider.callback();
  server.on('request', (req, res) => {
    testAccountRoute(req, res)
      .then((answered) => {
        if (!answered) callback(req, res);
      })
      .catch((e) => {
        console.error('idp test route', e);
        res.writeHead(500).end();
      });
  });
  console.log(`issuer=${issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

// Minimal OpenID Provider for tests. Env: OP_PORT (default 0 = any), OP_KID (key id; a fresh
// RSA key is generated at every start, so restarting with another OP_KID = key rotation),
// OP_REDIRECT_URI (registered callback). Prints "READY <issuer>" on stdout when listening.
import http from 'node:http';
import Provider from 'oidc-provider';
import { generateKeyPair, exportJWK } from 'jose';

const port = Number(process.env.OP_PORT || 0);
const kid = process.env.OP_KID || `k-${Date.now()}`;
const redirectUri = process.env.OP_REDIRECT_URI || 'http://127.0.0.1:9999/cb';

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };

// accountId typed at the login form -> claims. Any other login gets <login>@example.test,
// verified unless the login starts with "unverified".
const accounts = {
  alice: { email: 'alice@example.org', email_verified: true },
  bob: { email: 'bob@example.org', email_verified: false },
};

const server = http.createServer();
await new Promise((r) => server.listen(port, '127.0.0.1', r));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'normtrack',
    client_secret: 'normtrack-secret',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic', // or 'client_secret_post'
  }],
  jwks: { keys: [jwk] },
  pkce: { required: () => true },              // S256 is the only method by default
  scopes: ['openid', 'email'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  conformIdTokenClaims: false,                 // put email claims in the ID token (code flow)
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['test-cookie-key'] },
  async findAccount(ctx, id) {
    // The login is the address when it has an '@'; otherwise <login>@example.test. A login
    // starting with 'unverified' gets email_verified: false.
    const email = id.includes('@') ? id : `${id}@example.test`;
    const a = accounts[id] ?? { email, email_verified: !id.startsWith('unverified') };
    return { accountId: id, async claims() { return { sub: id, ...a }; } };
  },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));
server.on('request', provider.callback());
console.log(`READY ${issuer} kid=${kid}`);

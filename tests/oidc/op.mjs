// Minimal OpenID Provider for tests. Env: OP_PORT (default 0 = any), OP_KID (key id; a fresh
// RSA key is generated at every start, so restarting with another OP_KID = key rotation),
// OP_REDIRECT_URI (registered callbacks, separated by commas). Prints "READY <issuer>" on
// stdout when listening.
//
// POST /__tamper?mode=M makes the next token answer carry an ID token the relying party must
// refuse, re-signed with the provider's own key unless the mode is about the key:
// expired, audience (another client's), nonce (another sign-in's), issuer (another
// provider's), unknown-key (signed with a key the provider never published), none (unsigned).
import http from 'node:http';
import Provider from 'oidc-provider';
import { generateKeyPair, exportJWK, decodeJwt, SignJWT, UnsecuredJWT } from 'jose';

const port = Number(process.env.OP_PORT || 0);
const kid = process.env.OP_KID || `k-${Date.now()}`;
const redirectUris = (process.env.OP_REDIRECT_URI || 'http://127.0.0.1:9999/cb').split(',');

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
    redirect_uris: redirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic', // or 'client_secret_post'
  }],
  jwks: { keys: [jwk] },
  pkce: { required: () => true },              // S256 is the only method by default
  scopes: ['openid', 'email'],
  claims: { openid: ['sub'], email: ['email', 'email_verified', 'xms_edov'] },
  conformIdTokenClaims: false,                 // put email claims in the ID token (code flow)
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['test-cookie-key'] },
  async findAccount(ctx, id) {
    // The login is the address when it has an '@'; otherwise <login>@example.test. A login
    // starting with 'unverified' gets email_verified: false. 'entra:<address>' answers as
    // Microsoft Entra ID does: no email_verified, and xms_edov: true. 'other:<address>' is
    // another subject with the same verified address.
    if (id.startsWith('other:')) {
      // Another identity (subject) vouching for the same, verified address.
      const email = id.slice('other:'.length);
      return { accountId: id, async claims() { return { sub: id, email, email_verified: true }; } };
    }
    if (id.startsWith('entra:')) {
      const email = id.slice('entra:'.length);
      return { accountId: id, async claims() { return { sub: id, email, xms_edov: true }; } };
    }
    const email = id.includes('@') ? id : `${id}@example.test`;
    const a = accounts[id] ?? { email, email_verified: !id.startsWith('unverified') };
    return { accountId: id, async claims() { return { sub: id, ...a }; } };
  },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

let tamper = null;
const sign = (claims, key, keyId) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: keyId }).sign(key);
async function tampered(idToken, mode) {
  const claims = decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  switch (mode) {
    case 'expired':
      return sign({ ...claims, iat: now - 7200, auth_time: now - 7200, exp: now - 3600 }, privateKey, kid);
    case 'audience':
      return sign({ ...claims, aud: 'another-client', azp: 'another-client' }, privateKey, kid);
    case 'nonce':
      return sign({ ...claims, nonce: 'another-sign-in' }, privateKey, kid);
    case 'issuer':
      return sign({ ...claims, iss: 'http://127.0.0.1:1' }, privateKey, kid);
    case 'unknown-key': {
      const rogue = await generateKeyPair('RS256', { extractable: true });
      return sign(claims, rogue.privateKey, 'never-published');
    }
    case 'none':
      return new UnsecuredJWT(claims).encode();
    default:
      throw new Error(`unknown tamper mode ${mode}`);
  }
}
provider.use(async (ctx, next) => {
  await next();
  if (tamper && ctx.path === '/token' && ctx.body && ctx.body.id_token) {
    const mode = tamper;
    tamper = null;
    ctx.body = { ...ctx.body, id_token: await tampered(ctx.body.id_token, mode) };
  }
});

const callback = provider.callback();
server.on('request', (req, res) => {
  if (req.url.startsWith('/__tamper')) {
    tamper = new URL(req.url, issuer).searchParams.get('mode');
    res.writeHead(204).end();
    return;
  }
  callback(req, res);
});
console.log(`READY ${issuer} kid=${kid}`);

// The local OpenID Connect provider of the SSO tests: Node's certified `oidc-provider`, pinned in package.json.
// tests/sso/conftest.py starts it (`node idp.mjs`), reads the "ready <issuer>" line and stops it by pid.
//
// Environment (all optional):
//   OIDC_PORT            port on 127.0.0.1; 0 (the default) lets the system pick a free one, printed on the ready line
//   OIDC_ISSUER          the issuer; default http://127.0.0.1:<port>
//   OIDC_CLIENTS         JSON list of {client_id, client_secret}; default one client alveole / alveole-secret
//   REDIRECT_URIS        comma-separated exact redirect URIs, registered on every client
//   REDIRECT_URI_PREFIXES comma-separated prefixes also allowed (allauth's provider_id is random and made after the IdP starts)
//   OIDC_ACCOUNTS        JSON {login: {email, name, role, email_verified}}; any other login signs in as itself, role "member"
//   OIDC_ID_TOKEN_CLAIMS 1: put the scope claims in the id_token too (as Entra ID does with roles)
//   OIDC_EXPIRED         1: id_tokens live 1 s and /token answers 2.1 s late, so the id_token has expired on arrival
//   OIDC_ID_TOKEN_AUD    rewrites the id_token's `aud` in /token's answer (signature left as it was: a relying party
//                        that skips the signature on the back channel must still refuse a token meant for another client)
// The sign-in and consent pages are oidc-provider's devInteractions: any login and password are accepted.
import http from 'node:http';
import Provider from 'oidc-provider';

const env = process.env;
const list = (value) => (value || '').split(',').map((s) => s.trim()).filter(Boolean);
const expired = env.OIDC_EXPIRED === '1';
const accounts = JSON.parse(env.OIDC_ACCOUNTS || '{}');
const redirectUris = list(env.REDIRECT_URIS);
const redirectPrefixes = list(env.REDIRECT_URI_PREFIXES);
const clients = JSON.parse(env.OIDC_CLIENTS || '[{"client_id": "alveole", "client_secret": "alveole-secret"}]');

const server = http.createServer();
server.listen(Number(env.OIDC_PORT || 0), '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = env.OIDC_ISSUER || `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: clients.map((client) => ({
      redirect_uris: redirectUris.length ? redirectUris : ['http://127.0.0.1/unused'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      ...client,
    })),
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
      alveole: ['alveole_role'],
    },
    scopes: ['openid', 'email', 'profile', 'alveole'],
    conformIdTokenClaims: env.OIDC_ID_TOKEN_CLAIMS !== '1',
    findAccount: async (ctx, sub) => ({
      accountId: sub,
      claims: async () => {
        const account = accounts[sub] || {};
        return {
          sub,
          email: account.email || sub,
          email_verified: account.email_verified ?? true,
          name: account.name || sub,
          alveole_role: account.role || 'member',
        };
      },
    }),
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => false },
    // Set explicitly: oidc-provider prints a notice for each default it has to pick.
    ttl: { IdToken: expired ? 1 : 600, AccessToken: 600, AuthorizationCode: 60, Grant: 600, Interaction: 600, Session: 600 },
  });
  // The oidc-provider recipe for redirect URIs allowed by prefix.
  const exactAllowed = provider.Client.prototype.redirectUriAllowed;
  provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(value) {
    return exactAllowed.call(this, value) || redirectPrefixes.some((prefix) => value.startsWith(prefix));
  };
  if (expired) {
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.path === '/token') await new Promise((resolve) => { setTimeout(resolve, 2100); });
    });
  }
  if (env.OIDC_ID_TOKEN_AUD) {
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.path === '/token' && ctx.body && ctx.body.id_token) {
        const [header, payload, signature] = ctx.body.id_token.split('.');
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
        claims.aud = env.OIDC_ID_TOKEN_AUD;
        ctx.body = { ...ctx.body, id_token: [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.') };
      }
    });
  }
  server.on('request', provider.callback());
  console.log(`ready ${issuer}`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections(); // keep-alive clients would hold close() open
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

// Minimal but real OpenID Connect provider for Stemset integration tests.
//
//   PORT=4455 REDIRECT_URIS=http://127.0.0.1:3000/auth/callback node provider.mjs
//
// Prints exactly one line `READY http://127.0.0.1:PORT` on stdout once listening.
// See README.md for the HTTP flow a browser-less client has to follow.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';
// The bundled in-memory store is exactly what a throwaway test IdP needs; a
// subclass is used only so oidc-provider does not print its "dev-only adapter"
// warning (it compares the adapter by identity).
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';

class TestMemoryAdapter extends MemoryAdapter {}

// stdout is reserved for the single READY line; oidc-provider prints its
// notices with console.info, so send those to stderr.
console.info = (...args) => console.error(...args);

function fail(msg) {
  process.stderr.write(`oidc-provider: ${msg}\n`);
  process.exit(2);
}

const port = Number.parseInt(process.env.PORT ?? '', 10);
if (!Number.isInteger(port) || port <= 0 || port > 65535) fail('PORT is required (1-65535)');
const redirectUris = (process.env.REDIRECT_URIS ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
if (redirectUris.length === 0) fail('REDIRECT_URIS is required (comma-separated)');
// oidc-provider enforces the *registered* method, so a client can use exactly one.
const authMethod = process.env.TOKEN_ENDPOINT_AUTH_METHOD || 'client_secret_basic';
if (!['client_secret_basic', 'client_secret_post'].includes(authMethod)) {
  fail('TOKEN_ENDPOINT_AUTH_METHOD must be client_secret_basic or client_secret_post');
}

const HOST = '127.0.0.1';
const issuer = `http://${HOST}:${port}`;

// Fresh RS256 signing key per run (avoids oidc-provider's dev-only keystore).
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingJwk = {
  ...privateKey.export({ format: 'jwk' }),
  kid: randomBytes(8).toString('hex'),
  alg: 'RS256',
  use: 'sig',
};

// accountId (lower-cased email) -> display name given at login.
const names = new Map();

function defaultName(email) {
  return email.split('@')[0];
}

const provider = new Provider(issuer, {
  adapter: TestMemoryAdapter,
  clients: [
    {
      client_id: 'stemset-test',
      client_secret: 'stemset-test-secret',
      redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: authMethod,
      id_token_signed_response_alg: 'RS256',
    },
  ],
  clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
  jwks: { keys: [signingJwk] },
  scopes: ['openid', 'email', 'profile'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  // Put scope-requested claims (email, name, ...) into the ID token itself.
  conformIdTokenClaims: false,
  // PKCE: oidc-provider 8.x defaults (S256 only, required for every client).
  pkce: { methods: ['S256'] },
  features: {
    devInteractions: { enabled: false },
  },
  interactions: {
    url: (ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  cookies: {
    // Random per run: cookies are signed (each comes with a `<name>.sig` twin).
    keys: [randomBytes(32).toString('base64url')],
    // Plain http on 127.0.0.1: cookies are not marked Secure (ctx.secure is
    // false); avoid SameSite=None (which strict jars reject without Secure).
    long: { httpOnly: true, sameSite: 'lax' },
    short: { httpOnly: true, sameSite: 'lax' },
  },
  async findAccount(ctx, sub) {
    const email = String(sub).toLowerCase();
    return {
      accountId: email,
      async claims() {
        return {
          sub: email,
          email,
          email_verified: true,
          name: names.get(email) ?? defaultName(email),
        };
      },
    };
  },
  ttl: {
    // Explicit values silence "you SHOULD change" notices.
    AccessToken: 3600,
    AuthorizationCode: 600,
    IdToken: 3600,
    Interaction: 3600,
    Session: 86400,
    Grant: 86400,
  },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!doctype html><title>oidc error</title><pre>${escapeHtml(JSON.stringify(out, null, 2))}</pre>`;
  },
});
provider.proxy = false;

provider.on('server_error', (ctx, err) => {
  process.stderr.write(`oidc-provider server_error: ${err?.stack ?? err}\n`);
});

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
  })[c]);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('body too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, body, type = 'text/html; charset=utf-8') {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}

// Grant everything that was asked for (scopes, claims, resource scopes).
async function autoGrant(interaction, accountId) {
  const { params, prompt: { details } } = interaction;
  const grant = interaction.grantId
    ? await provider.Grant.find(interaction.grantId)
    : new provider.Grant({ accountId, clientId: params.client_id });

  if (params.scope) grant.addOIDCScope(String(params.scope));
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  if (params.claims) {
    try {
      const requested = JSON.parse(params.claims);
      for (const target of ['id_token', 'userinfo']) {
        if (requested[target]) grant.addOIDCClaims(Object.keys(requested[target]));
      }
    } catch { /* invalid claims param is rejected by the provider itself */ }
  }
  if (details.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(details.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  return grant.save();
}

// GET  /interaction/:uid        -> login form (or auto-consent)
// POST /interaction/:uid/login  -> finish login + consent, 303 to /auth/:uid
async function handleInteraction(req, res, url) {
  const m = url.pathname.match(/^\/interaction\/([^/]+)(\/login)?\/?$/);
  if (!m) return send(res, 404, 'not found', 'text/plain');
  const [, uid, login] = m;

  let interaction;
  try {
    interaction = await provider.interactionDetails(req, res);
  } catch (err) {
    return send(res, 400, `interaction error: ${err.message} (${err.error_description ?? ''})`, 'text/plain');
  }
  if (interaction.uid !== uid) return send(res, 400, 'interaction uid mismatch', 'text/plain');

  if (req.method === 'GET' && !login) {
    if (interaction.prompt.name === 'consent') {
      const grantId = await autoGrant(interaction, interaction.session.accountId);
      const consent = interaction.grantId ? {} : { grantId };
      return provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
    }
    const action = `/interaction/${encodeURIComponent(uid)}/login`;
    return send(res, 200, `<!doctype html>
<html><head><meta charset="utf-8"><title>Stemset test IdP</title></head>
<body>
<h1>Stemset test IdP sign-in</h1>
<form method="post" action="${escapeHtml(action)}">
<label>Email <input type="email" name="email" autofocus required></label>
<label>Name <input type="text" name="name"></label>
<button type="submit">Sign in</button>
</form>
</body></html>
`);
  }

  if (req.method === 'POST' && login) {
    let form;
    try {
      form = await readForm(req);
    } catch (err) {
      return send(res, 400, `bad form: ${escapeHtml(err.message)}`, 'text/plain');
    }
    const email = (form.get('email') ?? '').trim().toLowerCase();
    if (!email) return send(res, 400, 'email is required', 'text/plain');
    const name = (form.get('name') ?? '').trim();
    if (name) names.set(email, name);

    const grantId = await autoGrant(interaction, email);
    return provider.interactionFinished(req, res, {
      login: { accountId: email },
      consent: { grantId },
    }, { mergeWithLastSubmission: false });
  }

  return send(res, 405, 'method not allowed', 'text/plain');
}

const oidcCallback = provider.callback();

const server = createServer((req, res) => {
  const url = new URL(req.url, issuer);
  if (url.pathname.startsWith('/interaction/')) {
    handleInteraction(req, res, url).catch((err) => {
      process.stderr.write(`interaction handler error: ${err?.stack ?? err}\n`);
      if (!res.headersSent) send(res, 500, 'internal error', 'text/plain');
      else res.end();
    });
    return;
  }
  oidcCallback(req, res);
});

server.listen(port, HOST, () => {
  process.stdout.write(`READY ${issuer}\n`);
});

let closing = false;
function shutdown() {
  if (closing) return;
  closing = true;
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

// Test OpenID Provider for inzage's OIDC login integration tests.
//
// Wraps the certified `oidc-provider` package (see package.json) with one
// confidential client, three fake people and a minimal non-JS login form, so a
// test (or a human with a browser) can run a real authorization-code flow
// against an OP that was written independently of inzage.
//
// Usage: node server.mjs <port> <redirect_uri>
//   issuer:  http://127.0.0.1:<port>   (plain http, loopback only, test use only)
//   client:  inzage / inzage-secret    (client_secret_basic or client_secret_post, PKCE S256 accepted)
//   people:  anna (bsn 200000007), piet (bsn 200000056), nobsn (no bsn claim)
// Prints `ready` on stdout once listening; exits cleanly on SIGTERM/SIGINT.
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const [port, redirectUri] = process.argv.slice(2);
if (!port || !redirectUri) {
  console.error('usage: node server.mjs <port> <redirect_uri>');
  process.exit(2);
}
// oidc-provider prints notices with console.info; keep stdout for `ready` only.
console.info = console.error;

const issuer = `http://127.0.0.1:${port}`;
const ACR_VALUES = [
  'http://eidas.europa.eu/LoA/substantial',
  'http://eidas.europa.eu/LoA/low',
  'http://eidas.europa.eu/LoA/high',
];
const PEOPLE = {
  anna: { name: 'Anna Volwassen', bsn: '200000007' },
  piet: { name: 'Piet Ander', bsn: '200000056' },
  nobsn: { name: 'Zonder BSN' },
};

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'inzage',
    client_secret: 'inzage-secret',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
  jwks: { keys: [{ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256' }] },
  cookies: { keys: ['inzage-oidc-test-fixture-cookie-key'] },
  scopes: ['openid', 'profile'],
  claims: { acr: null, auth_time: null, sid: null, openid: ['sub'], profile: ['name', 'bsn'] },
  conformIdTokenClaims: false, // put name/bsn in the id_token, not only in userinfo
  acrValues: ACR_VALUES,
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const person = PEOPLE[id];
    if (!person) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...person }) };
  },
});

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginForm(uid, details) {
  const options = ACR_VALUES.map((v) => `<option value="${esc(v)}">${esc(v)}</option>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Test OP login</title></head><body>
<h1>Test OP &ndash; inloggen</h1>
<p>Client: ${esc(details.params.client_id)}. Test people: anna, piet, nobsn.</p>
<form method="post" action="/interaction/${esc(uid)}/login">
<label>Login <input type="text" name="login" autofocus></label>
<label>Niveau <select name="acr">${options}</select></label>
<button type="submit">Inloggen</button>
</form></body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

// Grant openid+profile (and name/bsn explicitly) to the client and finish the interaction.
async function finish(req, res, details, accountId, login) {
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope('openid profile');
  grant.addOIDCClaims(['sub', 'name', 'bsn']);
  const grantId = await grant.save();
  const result = { consent: { grantId } };
  if (login) result.login = login;
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction uid mismatch');
  const prompt = details.prompt.name;
  if (req.method === 'GET' && !action) {
    // Already logged in, only consent missing: nothing to ask, grant it right away.
    if (prompt === 'consent') return finish(req, res, details, details.session.accountId);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    return res.end(loginForm(uid, details));
  }
  if (req.method === 'POST' && action === 'login') {
    if (prompt === 'consent') return finish(req, res, details, details.session.accountId);
    const form = await readForm(req);
    const accountId = (form.get('login') || '').trim();
    const acr = form.get('acr');
    if (!PEOPLE[accountId] || !ACR_VALUES.includes(acr)) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      return res.end(`unknown login ${JSON.stringify(accountId)} or acr ${JSON.stringify(acr)}\n`);
    }
    return finish(req, res, details, accountId, { accountId, acr });
  }
  res.writeHead(405).end();
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  const m = /^\/interaction\/([^/?]+)(?:\/([a-z]+))?(?:\?.*)?$/.exec(req.url);
  if (!m) return callback(req, res);
  interaction(req, res, m[1], m[2]).catch((err) => {
    console.error('interaction error:', err);
    if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`interaction error: ${err.message}\n`);
  });
});

server.listen(Number(port), '127.0.0.1', () => console.log('ready'));
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 1000).unref();
  });
}

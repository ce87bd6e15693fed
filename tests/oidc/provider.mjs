// A real OpenID Connect provider for the tests: panva's certified oidc-provider on loopback.
//
//   node tests/oidc/provider.mjs          (started by the oidc_provider fixture, tests/oidc/fixtures.py)
//
// Environment:
//   OIDC_TEST_PORT           port on 127.0.0.1 (the issuer is http://127.0.0.1:<port>)
//   OIDC_TEST_JWKS           JSON {"keys": [<private RSA JWK>]}: the signing key (the tests re-sign
//                            tampered ID tokens with it, so only the claim checks can catch them)
//   OIDC_TEST_ACCOUNTS_FILE  JSON file {"<login>": {"password", "sub", "name", "email",
//                            "email_verified", "groups", "acr", "amr"}}, read at every sign-in, so a
//                            test can change an account's groups between two sign-ins
//
// Clients register themselves (dynamic client registration, open on this test provider only).
// PKCE is required for every client; RP-initiated logout is on. Sign-in is a small login form
// of our own (the account's password is checked), consent is implied (a first-party app).

import { readFileSync } from 'node:fs';
import * as querystring from 'node:querystring';

import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_TEST_PORT || 0);
const issuer = `http://127.0.0.1:${port}`;
const jwks = JSON.parse(process.env.OIDC_TEST_JWKS);
const accountsFile = process.env.OIDC_TEST_ACCOUNTS_FILE;

function accounts() {
  return JSON.parse(readFileSync(accountsFile, 'utf8'));
}

function accountBySub(sub) {
  return Object.values(accounts()).find((account) => account.sub === sub);
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

const configuration = {
  jwks,
  cookies: { keys: ['test-provider-cookie-key-not-secret'] },
  acrValues: ['urn:test:pwd', 'urn:test:mfa'],
  claims: {
    // acr and amr with the openid scope, so every ID token says how the person signed in.
    openid: ['sub', 'acr', 'amr', 'auth_time'],
    profile: ['name', 'groups'],
    email: ['email', 'email_verified'],
  },
  // Scope claims go into the ID token, as Entra ID and Keycloak put them there.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page(
          'Afmelden bij de testprovider',
          `${form}<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Ja, meld mij af</button>
<button type="submit" form="op.logoutForm">Nee, blijf aangemeld</button>`,
        );
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Afgemeld bij de testprovider', '<p>U bent afgemeld.</p>');
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Fout bij de testprovider', `<pre>${escape(JSON.stringify(out))}</pre>`);
  },
  async findAccount(ctx, sub) {
    const account = accountBySub(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          name: account.name,
          email: account.email,
          email_verified: account.email_verified,
          groups: account.groups || [],
        };
      },
    };
  },
  // Consent is implied: the grant covers whatever the client asked for.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const existing = await ctx.oidc.provider.Grant.find(grantId);
      if (existing) return existing;
    }
    if (!ctx.oidc.session.accountId) return undefined;
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ctx.oidc.params.scope || 'openid');
    await grant.save();
    return grant;
  },
};

const provider = new Provider(issuer, configuration);

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return querystring.parse(Buffer.concat(chunks).toString('utf8'));
}

function loginForm(uid, message) {
  return page(
    'Inloggen bij de testgemeente',
    `${message ? `<p role="alert">${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}">
<p><label for="login">Gebruikersnaam</label> <input id="login" name="login" autocomplete="username" required></p>
<p><label for="password">Wachtwoord</label> <input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Aanmelden</button></p>
</form>
<form method="post" action="/interaction/${escape(uid)}/abort"><button type="submit">Annuleren</button></form>`,
  );
}

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)(\/abort)?$/);
  if (!match) return next();
  ctx.set('cache-control', 'no-store');
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (match[2]) {
    await readBody(ctx.req);
    await provider.interactionFinished(ctx.req, ctx.res, {
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
    ctx.respond = false;
    return undefined;
  }
  if (ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body = loginForm(details.uid);
    return undefined;
  }
  const body = await readBody(ctx.req);
  const account = accounts()[body.login];
  if (!account || account.password !== body.password) {
    ctx.type = 'html';
    ctx.status = 400;
    ctx.body = loginForm(details.uid, 'Gebruikersnaam of wachtwoord onjuist.');
    return undefined;
  }
  const login = { accountId: account.sub };
  if (account.acr) login.acr = account.acr;
  if (account.amr) login.amr = account.amr;
  await provider.interactionFinished(ctx.req, ctx.res, { login }, { mergeWithLastSubmission: false });
  ctx.respond = false;
  return undefined;
});

const server = provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${issuer}\n`);
});

function stop() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

// A real OpenID Provider (oidc-provider) for the test suite, on 127.0.0.1 over HTTPS.
//
//   node provider.js SETTINGS.json
//
// SETTINGS.json: {"port", "issuer", "cert", "key", "client": {client_id, client_secret, redirect_uris,
// post_logout_redirect_uris}, "accounts": PATH}. The accounts file ({"login": {claims}}) is read again at every
// sign-in, so a test can remove a person or a group, as an office's IT service would. The development login
// page takes any login name; only names in the accounts file get an account.
import fs from 'node:fs';
import https from 'node:https';

import Provider from 'oidc-provider';

const settings = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const accounts = () => JSON.parse(fs.readFileSync(settings.accounts, 'utf8'));

const provider = new Provider(settings.issuer, {
  clients: [{
    ...settings.client,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    // The groups go with the profile here; Entra ID sends them in every ID token once configured to.
    profile: ['name', 'groups'],
  },
  // The claims of the scopes asked for go into the ID token, as Entra ID puts email and groups there.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  cookies: { keys: ['samlinger-test-provider'] },
  async findAccount(ctx, id) {
    const account = accounts()[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...account };
      },
    };
  },
});
provider.proxy = false;
provider.on('server_error', (ctx, error) => console.error('server_error', error));

const server = https.createServer({
  cert: fs.readFileSync(settings.cert), key: fs.readFileSync(settings.key),
}, provider.callback());
server.listen(settings.port, '127.0.0.1', () => console.log(`listening ${settings.issuer}`));

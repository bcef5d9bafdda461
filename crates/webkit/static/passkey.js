// Passkeys (WebAuthn) for the portal and the practice: adding one on a security page, and using
// one as the second login step. A button's data-start and data-finish name its endpoints (the
// portal's by default). Buttons stay hidden when the browser cannot do WebAuthn; the
// authenticator code keeps working without JavaScript.
'use strict';

(function () {
  if (!window.PublicKeyCredential || !navigator.credentials) return;

  function decode(s) {
    const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0)).buffer;
  }
  function encode(buf) {
    const bytes = new Uint8Array(buf);
    let bin = '';
    bytes.forEach((b) => { bin += String.fromCharCode(b); });
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function csrf() {
    const field = document.querySelector('input[name="csrf"]');
    return field ? field.value : '';
  }
  async function post(url, body) {
    const response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf() },
      body: JSON.stringify(body || {}),
    });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    return response.json();
  }
  function showError() {
    const e = document.getElementById('passkey-error');
    if (e) e.hidden = false;
  }

  async function register(start, finish) {
    const options = (await post(start || '/passkey/registreren/start')).publicKey;
    options.challenge = decode(options.challenge);
    options.user.id = decode(options.user.id);
    (options.excludeCredentials || []).forEach((c) => { c.id = decode(c.id); });
    const cred = await navigator.credentials.create({ publicKey: options });
    await post(finish || '/passkey/registreren/klaar', {
      id: cred.id,
      rawId: encode(cred.rawId),
      type: cred.type,
      response: {
        attestationObject: encode(cred.response.attestationObject),
        clientDataJSON: encode(cred.response.clientDataJSON),
      },
      extensions: cred.getClientExtensionResults(),
    });
    window.location.reload();
  }

  async function login(start, finish) {
    const options = (await post(start || '/inloggen/passkey/start')).publicKey;
    options.challenge = decode(options.challenge);
    (options.allowCredentials || []).forEach((c) => { c.id = decode(c.id); });
    const cred = await navigator.credentials.get({ publicKey: options });
    const result = await post(finish || '/inloggen/passkey/klaar', {
      id: cred.id,
      rawId: encode(cred.rawId),
      type: cred.type,
      response: {
        authenticatorData: encode(cred.response.authenticatorData),
        clientDataJSON: encode(cred.response.clientDataJSON),
        signature: encode(cred.response.signature),
        userHandle: cred.response.userHandle ? encode(cred.response.userHandle) : null,
      },
      extensions: cred.getClientExtensionResults(),
    });
    window.location.assign(result.redirect);
  }

  document.querySelectorAll('[data-passkey]').forEach((button) => {
    button.hidden = false;
    button.addEventListener('click', () => {
      const action = button.dataset.passkey === 'register' ? register : login;
      action(button.dataset.start, button.dataset.finish).catch(showError);
    });
  });
}());

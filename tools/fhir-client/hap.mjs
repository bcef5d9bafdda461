// A huisartsenpost's system fetching a patient's professional summary (issue 20) with a FHIR
// client we did not write (fhir-kit-client): an OAuth 2.0 client-credentials token from
// /uitwisseling/token (client authenticated by HTTP Basic), the CapabilityStatement, then
// GET Patient/$professional-summary.
//
// Usage: node hap.mjs <origin> <client_id> <client_secret> <bsn> <practitioner> [emergency reason]
// Prints one JSON object on stdout: { status, fhirVersion?, bundle? , outcome? , token? }.
import { Client } from 'fhir-kit-client';

const [origin, id, secret, bsn, practitioner, reason] = process.argv.slice(2);
const basic = Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');
const tokenResponse = await fetch(`${origin}/uitwisseling/token`, {
  method: 'POST',
  headers: {
    authorization: `Basic ${basic}`,
    'content-type': 'application/x-www-form-urlencoded',
  },
  body: 'grant_type=client_credentials',
});
if (!tokenResponse.ok) {
  console.log(JSON.stringify({ status: tokenResponse.status, token: await tokenResponse.json() }));
  process.exit(0);
}
const { access_token: accessToken, token_type: tokenType } = await tokenResponse.json();
if (tokenType !== 'Bearer') throw new Error(`token type ${tokenType}`);
const client = new Client({ baseUrl: `${origin}/uitwisseling/fhir`, bearerToken: accessToken });
const input = { identifier: `http://fhir.nl/fhir/NamingSystem/bsn|${bsn}`, practitioner };
if (reason) input['emergency-reason'] = reason;
try {
  const capability = await client.capabilityStatement();
  const bundle = await client.operation({
    name: 'professional-summary', resourceType: 'Patient', method: 'GET', input,
  });
  console.log(JSON.stringify({ status: 200, fhirVersion: capability.fhirVersion, bundle }));
} catch (e) {
  if (!e.response) throw e;
  let outcome = e.response.data;
  try { outcome = JSON.parse(outcome); } catch { /* kept as text */ }
  console.log(JSON.stringify({ status: e.response.status, outcome }));
}

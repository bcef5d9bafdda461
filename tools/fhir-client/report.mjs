// A huisartsenpost's system sending the locum's report of a contact (waarneembericht, issue 20)
// with a FHIR client we did not write (fhir-kit-client): a client-credentials token, then
// create a Composition at /uitwisseling/fhir.
//
// Usage: node report.mjs <origin> <client_id> <client_secret> <bsn> <date YYYY-MM-DD>
// Prints one JSON object on stdout: { status, id? , outcome? }.
import { Client } from 'fhir-kit-client';

const [origin, id, secret, bsn, date] = process.argv.slice(2);
const basic = Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');
const tokenResponse = await fetch(`${origin}/uitwisseling/token`, {
  method: 'POST',
  headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
  body: 'grant_type=client_credentials',
});
const { access_token: accessToken } = await tokenResponse.json();
const client = new Client({ baseUrl: `${origin}/uitwisseling/fhir`, bearerToken: accessToken });
const soep = (code, text, icpc) => {
  const section = {
    code: { coding: [{ system: 'http://fhir.nl/fhir/NamingSystem/journaalregeltypen', code, display: code }] },
    text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${text}</div>` },
  };
  if (icpc) {
    section.extension = [{
      url: 'http://nictiz.nl/fhir/StructureDefinition/code-icpc-1-nl',
      valueCodeableConcept: { coding: [{ system: 'http://hl7.org/fhir/sid/icpc-1-nl', code: icpc, display: icpc }] },
    }];
  }
  return section;
};
const body = {
  resourceType: 'Composition',
  status: 'final',
  type: { coding: [{ system: 'http://loinc.org', code: '67781-5', display: 'Summarization of encounter note Narrative' }] },
  subject: { identifier: { system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: bsn }, display: 'patient' },
  date,
  author: [{ display: 'dr. W. Waarnemer' }],
  title: 'Waarneembericht',
  section: [
    soep('S', 'WAARNEMING koorts sinds 2 dagen &amp; hoesten'),
    soep('O', 'T 39,1; longen: crepitaties rechts basaal'),
    soep('E', 'Pneumonie', 'R81'),
    soep('P', 'Amoxicilline 3dd 500 mg; controle eigen huisarts over 3 dagen'),
  ],
};
try {
  const created = await client.create({ resourceType: 'Composition', body });
  console.log(JSON.stringify({ status: 201, id: created.id }));
} catch (e) {
  if (!e.response) throw e;
  let outcome = e.response.data;
  try { outcome = JSON.parse(outcome); } catch { /* kept as text */ }
  console.log(JSON.stringify({ status: e.response.status, outcome }));
}

// A PGO's pull done by a FHIR client we did not write (fhir-kit-client): for every type the
// CapabilityStatement says can be searched, page through the search with a small _count by
// following the `next` links, check that the pages hold exactly the unpaged answer in the same
// order, then resolve every reference found and check it names what it points at.
//
// Usage: node pgo.mjs <base url of /fhir> <bearer token>
// Prints one JSON report on stdout; exits 1 when anything failed.
import { Client } from 'fhir-kit-client';

const [baseUrl, token] = process.argv.slice(2);
const client = new Client({ baseUrl, bearerToken: token });
const report = { types: [], pages: 0, matches: 0, resolved: 0, failures: [] };
const fail = (what) => report.failures.push(what);

function references(value, out) {
  if (Array.isArray(value)) {
    value.forEach((v) => references(v, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.add(v);
      else references(v, out);
    }
  }
}

const matchIds = (bundle) => (bundle.entry || [])
  .filter((e) => e.search && e.search.mode === 'match')
  .map((e) => `${e.resource.resourceType}/${e.resource.id}`);

const capability = await client.capabilityStatement();
const searchable = capability.rest[0].resource
  .filter((r) => r.interaction.some((i) => i.code === 'search-type'))
  .map((r) => r.type);
const refs = new Set();
for (const resourceType of searchable) {
  report.types.push(resourceType);
  const whole = await client.search({ resourceType });
  const want = matchIds(whole);
  references(whole, refs);
  const got = [];
  let page = await client.search({ resourceType, searchParams: { _count: 3 } });
  while (page) {
    report.pages += 1;
    if (page.total !== want.length) fail(`${resourceType}: total ${page.total}, want ${want.length}`);
    got.push(...matchIds(page));
    if (report.pages > 10000) { fail('paging does not end'); break; }
    page = await client.nextPage({ bundle: page });
  }
  report.matches += got.length;
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    fail(`${resourceType}: pages gave ${got.join(',')}, the whole search ${want.join(',')}`);
  }
}
for (const reference of refs) {
  try {
    const resource = await client.resolve({ reference });
    if (`${resource.resourceType}/${resource.id}` !== reference) {
      fail(`${reference} resolved to ${resource.resourceType}/${resource.id}`);
    }
    report.resolved += 1;
  } catch (e) {
    fail(`${reference}: ${e.response ? e.response.status : e.message}`);
  }
}
process.stdout.write(JSON.stringify(report));
process.exit(report.failures.length ? 1 : 0);

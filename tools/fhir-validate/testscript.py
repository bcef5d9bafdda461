"""Runs Nictiz qualification TestScripts (FHIR STU3 `TestScript` resources, XML) against a
running FHIR server and reports every assertion as passed or failed.

It does what the qualification platform (Touchstone) does for the parts these scripts use:
- variables: `defaultValue`, or an `expression` evaluated on an earlier response (`sourceId`),
  overridable with --var; `${UUID}`, `${CURRENTDATE}`, `${CURRENTDATE,M,-14}` and `${DATE, T, D, -365}` filled in;
- operations: search, read, get, transaction (a fixture posted to the base) with their
  `accept`, `contentType`, `params`, `url` and request headers;
- assertions: responseCode (with operator), resource, contentType, headerField, expression
  with or without operator/value (evaluated by fhirpathpy with the STU3 model: a FHIRPath
  implementation we did not write), validateProfileId (the fhir.resources STU3 models check
  the structure; the Nictiz profiles themselves are not available offline), and the
  `assert-response-queryParamsInSelfLink` rule (the groovy rule in `_reference/rules`, ported).
XML answers are read with fhir.resources' XML parser and compared with what that library writes
for the same content (which follows the specification's element order), so an XML answer must
be valid, ordered FHIR XML before any expression is evaluated on it.

For scripts whose system under test is the client (`Sending-PHR`: the PGO sends), nothing is
sent: --recorded names a JSON file of the exchanges the client made, in order
(`[{"request": {"method", "url", "headers", "body"}, "response": {"status", "headers",
"body"}}]`), each standing for the next operation, which it must match (method, path and
search parameters); `direction=request` assertions (expression, headerField, requestURL) are
evaluated on the recorded request, the others on its response.

Usage: testscript.py --base URL [--var NAME=VALUE]... [--today YYYY-MM-DD] [--recorded FILE] SCRIPT.xml...
Prints one JSON report on stdout: {"assertions": [...], "passed": n, "failed": n}.
Exit status 0 when nothing failed (warningOnly assertions count as failures too: we aim to
pass all of them), 1 otherwise.
"""
import argparse
import calendar
import datetime as dt
import json
import pathlib
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET

from fhir.resources.STU3 import get_fhir_model_class
from fhirpathpy import evaluate
from fhirpathpy.models import models
from validate import read_xml

NS = {"f": "http://hl7.org/fhir"}
STU3 = models["stu3"]
MEDIA = {
    "json": "application/fhir+json",
    "xml": "application/fhir+xml",
    "none": None,
}


def val(node, path):
    """The `value` attribute of the first element at `path` (or None)."""
    el = node.find(path, NS)
    return None if el is None else el.get("value")


def add_months(day, months):
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


class Run:
    def __init__(self, base, today, overrides, recorded=None):
        self.base = base.rstrip("/")
        self.today = today
        self.overrides = overrides
        self.report = []
        # The client's exchanges, when the client is the system under test.
        self.recorded = list(recorded) if recorded is not None else None

    # ---- placeholders and variables ----

    def fill(self, text, variables):
        def one(m):
            inner = m.group(1)
            parts = [p.strip() for p in inner.split(",")]
            if parts[0] == "UUID":
                return str(uuid.uuid4())
            if parts[0] == "CURRENTDATE" and len(parts) == 1:
                return self.today.isoformat()
            if parts[0] == "CURRENTDATE" and len(parts) == 3:
                return self.shift(parts[1], int(parts[2])).isoformat()
            if parts[0] == "DATE" and len(parts) == 4:
                return self.shift(parts[2], int(parts[3])).isoformat()
            if inner in variables:
                return variables[inner]
            raise KeyError(f"unknown placeholder ${{{inner}}}")

        return re.sub(r"\$\{([^}]+)\}", one, text)

    def shift(self, unit, n):
        if unit == "D":
            return self.today + dt.timedelta(days=n)
        if unit == "M":
            return add_months(self.today, n)
        if unit == "Y":
            return add_months(self.today, 12 * n)
        raise KeyError(f"unknown date unit {unit}")

    # ---- HTTP ----

    def replay(self, op, variables, responses):
        """The next exchange the client under test made, standing for this operation: it must be
        the operation's request (method, path and search parameters; a comma list of values in
        any order, percent-encoding either way), or the operation fails."""
        if not self.recorded:
            raise ValueError("the client made no (more) requests")
        ex = self.recorded.pop(0)
        req, res = ex["request"], ex["response"]
        method, url = self.expected(op, variables)
        if req.get("method", "GET") != method or request_key(req["url"]) != request_key(url):
            raise ValueError(f"the client sent {req.get('method')} {req['url']}, the operation is {method} {url}")
        response = Response(req["url"], res["status"], res.get("headers", {}), res["body"].encode())
        response.request = Response(req["url"], None, req.get("headers", {}), req["body"].encode())
        rid = val(op, "f:responseId")
        if rid:
            responses[rid] = response
        return response

    def expected(self, op, variables):
        """The method and URL of an operation."""
        kind = val(op, "f:type/f:code")
        method = {"transaction": "POST", "batch": "POST", "create": "POST", "update": "PUT"}.get(kind, "GET")
        url = val(op, "f:url")
        if url:
            return method, self.fill(url, variables)
        if kind in ("transaction", "batch"):
            return method, self.base
        resource = val(op, "f:resource") or ""
        params = self.fill(val(op, "f:params") or "", variables)
        return method, (f"{self.base}/{resource}{params}" if resource else f"{self.base}{params}")

    def perform(self, script_dir, op, variables, fixtures, responses):
        if self.recorded is not None:
            return self.replay(op, variables, responses)
        kind = val(op, "f:type/f:code")
        # No `accept`: no Accept header (a plain GET of a document gets the document).
        accept = MEDIA.get(val(op, "f:accept") or "none")
        content_type = MEDIA.get(val(op, "f:contentType") or "none")
        headers = {}
        if accept:
            headers["Accept"] = accept
        for h in op.findall("f:requestHeader", NS):
            headers[val(h, "f:field")] = self.fill(val(h, "f:value"), variables)
        url = val(op, "f:url")
        body = None
        method = "GET"
        if url:
            url = self.fill(url, variables)
        else:
            resource = val(op, "f:resource") or ""
            params = self.fill(val(op, "f:params") or "", variables)
            url = f"{self.base}/{resource}{params}" if resource else f"{self.base}{params}"
        if kind in ("transaction", "batch", "create", "update"):
            method = "POST" if kind != "update" else "PUT"
            source = val(op, "f:sourceId")
            body = fixtures[source](val(op, "f:contentType") or "json").encode()
            if content_type:
                headers["Content-Type"] = content_type
            if kind in ("transaction", "batch") and not val(op, "f:url"):
                url = self.base
        # encodeRequestUrl: the query's values are sent percent-encoded, as a client would.
        parts = urllib.parse.urlsplit(url)
        query = "&".join(
            urllib.parse.quote(k, safe=":_-.") + ("=" + urllib.parse.quote(v, safe=":_-.") if eq else "")
            for k, eq, v in (p.partition("=") for p in parts.query.split("&") if p)
        )
        sent = urllib.parse.urlunsplit(parts._replace(query=query))
        req = urllib.request.Request(sent, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as res:
                status, rheaders, data = res.status, dict(res.headers), res.read()
        except urllib.error.HTTPError as e:
            status, rheaders, data = e.code, dict(e.headers), e.read()
        response = Response(url, status, rheaders, data)
        rid = val(op, "f:responseId")
        if rid:
            responses[rid] = response
        return response

    # ---- assertions ----

    def check(self, a, response, variables, script):
        if response is None:
            return False, "no response to assert on"
        if val(a, "f:direction") == "request":
            response = getattr(response, "request", None)
            if response is None:
                return False, "no recorded request to assert on"
        if val(a, "f:requestURL") is not None:
            want = self.fill(val(a, "f:requestURL"), variables)
            operator = val(a, "f:operator") or "equals"
            return compare(operator, response.url, want), f"url {response.url}"
        code = val(a, "f:responseCode")
        operator = val(a, "f:operator") or "equals"
        wanted = val(a, "f:value")
        if wanted is not None:
            wanted = self.fill(wanted, variables)
        if code is not None:
            return compare(operator, str(response.status), code), f"status {response.status}"
        if a.find("f:resource", NS) is not None:
            rt = response.resource_type()
            return rt == val(a, "f:resource"), f"resource type {rt}"
        if val(a, "f:contentType") is not None:
            ct = response.header("content-type") or ""
            want = MEDIA.get(val(a, "f:contentType"))
            return (want or "") in ct, f"content type {ct}"
        if val(a, "f:headerField") is not None:
            got = response.header(val(a, "f:headerField"))
            return compare(operator, got, wanted), f"header {got}"
        if val(a, "f:validateProfileId") is not None:
            return response.validate()
        if val(a, "f:expression") is not None:
            expr = val(a, "f:expression")
            result = evaluate(response.json(), expr, {}, STU3)
            if val(a, "f:operator") is None and wanted is None:
                return result == [True], f"evaluated to {result}"
            got = None if not result else stringify(result[0])
            return compare(operator, got, wanted), f"evaluated to {result}"
        rule = a.find("f:extension/f:extension[@url='ruleId']/f:valueId", NS)
        if rule is not None and rule.get("value") == "assert-response-queryParamsInSelfLink":
            return query_params_in_self_link(response)
        return False, "assertion kind not supported by this runner"

    def run_script(self, path):
        root = ET.parse(path).getroot()
        name = val(root, "f:id")
        script_dir = path.parent
        variables = {}
        responses = {}
        fixtures = {}
        for fx in root.findall("f:fixture", NS):
            ref = val(fx, "f:resource/f:reference")
            fixtures[fx.get("id")] = self.fixture(script_dir / ref, variables)
        lazy = []
        for v in root.findall("f:variable", NS):
            vname = val(v, "f:name")
            if vname in self.overrides:
                variables[vname] = self.overrides[vname]
            elif val(v, "f:defaultValue") is not None:
                variables[vname] = self.fill(val(v, "f:defaultValue"), variables)
            else:
                lazy.append(v)
        for test in root.findall("f:setup", NS) + root.findall("f:test", NS):
            tname = test.get("id") or "setup"
            last = None
            stop = False
            for action in test.findall("f:action", NS):
                op = action.find("f:operation", NS)
                a = action.find("f:assert", NS)
                # Variables computed from responses as soon as their source exists.
                for v in list(lazy):
                    src = responses.get(val(v, "f:sourceId"))
                    if src is not None:
                        result = evaluate(src.json(), val(v, "f:expression"), {}, STU3)
                        variables[val(v, "f:name")] = "" if not result else stringify(result[0])
                        lazy.remove(v)
                if op is not None:
                    if stop:
                        continue
                    try:
                        last = self.perform(script_dir, op, variables, fixtures, responses)
                    except Exception as e:  # a placeholder or fixture we cannot fill
                        last = None
                        self.record(name, tname, "operation", False, f"not performed: {e}", False)
                elif a is not None:
                    if stop:
                        self.record(name, tname, val(a, "f:description"), False, "not run: an earlier assertion stopped the test", val(a, "f:warningOnly") == "true")
                        continue
                    try:
                        ok, detail = self.check(a, last, variables, name)
                    except Exception as e:
                        ok, detail = False, f"error: {e}"
                    self.record(name, tname, val(a, "f:description"), ok, detail, val(a, "f:warningOnly") == "true")
                    if not ok and val(a, "f:stopTestOnFail") == "true":
                        stop = True

    def fixture(self, file, variables):
        text = file.read_text()

        def body(kind):
            filled = self.fill(text, variables)
            if kind == "xml" or not file.suffix == ".xml":
                return filled
            root = ET.fromstring(filled)
            cls = get_fhir_model_class(root.tag.split("}")[1])
            return cls.parse_raw(filled.encode(), content_type="text/xml").json()

        return body

    def record(self, script, test, description, ok, detail, warning_only):
        self.report.append({
            "script": script,
            "test": test,
            "assertion": (description or "").strip()[:200],
            "passed": bool(ok),
            "warning_only": warning_only,
            "detail": str(detail)[:500],
        })


def request_key(url):
    """A request URL as a comparable value: its path, and its search parameters with each comma
    list of values sorted (`code=a,b` is `code=b,a`), all percent-decoded."""
    parts = urllib.parse.urlsplit(url)
    params = sorted(
        (urllib.parse.unquote(k), ",".join(sorted(urllib.parse.unquote(v).split(","))))
        for k, _, v in (p.partition("=") for p in parts.query.split("&") if p)
    )
    return urllib.parse.unquote(parts.path).rstrip("/"), params


class Response:
    def __init__(self, url, status, headers, data):
        self.url = url
        self.status = status
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.data = data
        self._json = None

    def header(self, name):
        return self.headers.get(name.lower())

    def is_xml(self):
        return "xml" in (self.header("content-type") or "")

    def model(self):
        text = self.data
        if self.is_xml():
            return read_xml(text)
        obj = json.loads(text)
        return get_fhir_model_class(obj["resourceType"]).parse_obj(obj)

    def json(self):
        if self._json is None:
            if self.is_xml():
                self._json = json.loads(self.model().json())
            else:
                self._json = json.loads(self.data)
        return self._json

    def resource_type(self):
        try:
            return self.json().get("resourceType")
        except Exception:
            return None

    def validate(self):
        try:
            self.model()
            return True, "valid STU3 structure (fhir.resources)"
        except Exception as e:
            return False, f"invalid: {e}"


def stringify(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def compare(operator, got, wanted):
    if operator == "equals":
        return got == wanted
    if operator == "notEquals":
        return got != wanted
    if operator == "in":
        return got in [w.strip() for w in (wanted or "").split(",")]
    if operator == "notIn":
        return got not in [w.strip() for w in (wanted or "").split(",")]
    if operator == "contains":
        return got is not None and wanted in got
    if operator == "notContains":
        return got is None or wanted not in got
    if operator == "empty":
        return not got
    if operator == "notEmpty":
        return bool(got)
    raise ValueError(f"operator {operator} not supported")


def query_params_in_self_link(response):
    """The groovy rule `assert_response_queryParamsInSelfLink`, ported."""
    url = urllib.parse.unquote(response.url)
    if "?" not in url:
        return True, "no query parameters"
    links = evaluate(response.json(), "Bundle.link.where(relation = 'self').url", {}, STU3)
    self_link = urllib.parse.unquote(links[0]) if links else ""
    for full in url.split("?", 1)[1].split("&"):
        if full in self_link:
            continue
        name, _, value = full.partition("=")
        ref = re.match(r"^([A-Z][A-Za-z]+/)?([A-Za-z0-9\-.]{1,64})$", value)
        if not ref:
            return False, f"the requested parameter {full} was absent from the self link"
        if ref.group(1) is None:
            if not re.search(rf"{re.escape(name)}=[A-Z][A-Za-z]+/{re.escape(ref.group(2))}", self_link):
                return False, f"the requested parameter {full} was absent from the self link"
        elif f"{name}={ref.group(2)}" not in self_link:
            return False, f"the requested parameter {full} was absent from the self link"
    return True, "every parameter is in the self link"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--today", default=dt.date.today().isoformat())
    ap.add_argument("--var", action="append", default=[])
    ap.add_argument("--recorded", type=pathlib.Path)
    ap.add_argument("scripts", nargs="+", type=pathlib.Path)
    args = ap.parse_args()
    overrides = dict(v.split("=", 1) for v in args.var)
    recorded = json.loads(args.recorded.read_text()) if args.recorded else None
    run = Run(args.base, dt.date.fromisoformat(args.today), overrides, recorded)
    for s in args.scripts:
        run.run_script(s)
    passed = sum(1 for r in run.report if r["passed"])
    failed = len(run.report) - passed
    json.dump({"assertions": run.report, "passed": passed, "failed": failed}, sys.stdout, indent=1)
    sys.exit(0 if failed == 0 and passed > 0 else 1)


if __name__ == "__main__":
    main()

"""Validates FHIR STU3 (default) or R4 JSON files (Bundles or single resources) with fhir.resources,
and STU3 XML files (`.xml`): read by the library's XML parser, and their elements compared with
what the library writes for the same content, which follows the specification's order.

Usage: validate.py [--r4] FILE...   Prints one line per file and exits 1 if any file fails.
R4 is checked with the library's R4B models (R4B changed none of the resources we write).
This is a structural check by a library we did not write: unknown elements, wrong types and
missing required elements are errors. Profiles and terminology are checked elsewhere.
"""

import json
import sys
import xml.etree.ElementTree as ET

from fhir.resources.R4B import construct_fhir_element as construct_r4
from fhir.resources.STU3 import construct_fhir_element as construct_stu3
from fhir.resources.STU3 import get_fhir_model_class


def check_order(ours, theirs):
    """fhir.resources reads XML in any order but writes it in specification order: the same
    content must give the same sequence of elements, or ours is out of order."""
    a = [(el.tag, sorted(k for k in el.attrib if k != "value")) for el in ours.iter()]
    b = [(el.tag, sorted(k for k in el.attrib if k != "value")) for el in theirs.iter()]
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            near = " / ".join(t.split("}")[-1] for t, _ in a[max(0, i - 3) : i + 1])
            raise ValueError(
                f"XML elements not in specification order near {near}: expected {y[0].split('}')[-1]}"
            )
    if len(a) != len(b):
        raise ValueError(f"XML has {len(a)} elements where the model writes {len(b)}")


def read_xml(text):
    """An STU3 resource from FHIR XML, checked for element order."""
    root = ET.fromstring(text)
    model = get_fhir_model_class(root.tag.split("}")[1]).parse_raw(text, content_type="text/xml")
    check_order(root, ET.fromstring(model.xml().encode()))
    return model


def main(args):
    construct_fhir_element = construct_stu3
    paths = list(args)
    if paths and paths[0] == "--r4":
        construct_fhir_element = construct_r4
        paths = paths[1:]
    failed = 0
    for path in paths:
        try:
            if path.endswith(".xml"):
                with open(path, "rb") as f:
                    read_xml(f.read())
            else:
                with open(path, encoding="utf-8") as f:
                    data = json.load(f)
                construct_fhir_element(data["resourceType"], data)
            print(f"ok {path}")
        except Exception as e:  # the library raises pydantic errors with every problem listed
            failed += 1
            print(f"FAIL {path}: {e}".replace("\n", " | "))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

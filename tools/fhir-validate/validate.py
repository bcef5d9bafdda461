"""Validates FHIR STU3 (default) or R4 JSON files (Bundles or single resources) with fhir.resources.

Usage: validate.py [--r4] FILE...   Prints one line per file and exits 1 if any file fails.
R4 is checked with the library's R4B models (R4B changed none of the resources we write).
This is a structural check by a library we did not write: unknown elements, wrong types and
missing required elements are errors. Profiles and terminology are checked elsewhere.
"""

import json
import sys

from fhir.resources.R4B import construct_fhir_element as construct_r4
from fhir.resources.STU3 import construct_fhir_element as construct_stu3


def main(args):
    construct_fhir_element = construct_stu3
    paths = list(args)
    if paths and paths[0] == "--r4":
        construct_fhir_element = construct_r4
        paths = paths[1:]
    failed = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        try:
            construct_fhir_element(data["resourceType"], data)
            print(f"ok {path}")
        except Exception as e:  # the library raises pydantic errors with every problem listed
            failed += 1
            print(f"FAIL {path}: {e}".replace("\n", " | "))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Validates OCI runtime configs against the runtime-spec JSON schema that
Debian's golang-github-opencontainers-specs-dev ships.

  oci_validate.py config FILE...    whole config.json files
  oci_validate.py process FILE...   exec process specs (config.json's "process")

Prints one line per invalid file and exits 1 if any is invalid."""
import json
import pathlib
import sys
import warnings

import jsonschema

# Newer jsonschema deprecates RefResolver; Debian 12's has no replacement.
warnings.filterwarnings("ignore", category=DeprecationWarning)

SCHEMA_DIR = pathlib.Path(
    "/usr/share/gocode/src/github.com/opencontainers/runtime-spec/schema")


def validator(kind):
    schema = json.loads((SCHEMA_DIR / "config-schema.json").read_text())
    if kind == "process":
        schema = dict(schema["properties"]["process"],
                      **{"$schema": schema["$schema"]})
    resolver = jsonschema.RefResolver(SCHEMA_DIR.as_uri() + "/", schema)
    return jsonschema.Draft4Validator(schema, resolver=resolver)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("config", "process"):
        print(__doc__, file=sys.stderr)
        return 2
    v = validator(sys.argv[1])
    bad = 0
    for name in sys.argv[2:]:
        errors = list(v.iter_errors(json.loads(pathlib.Path(name).read_text())))
        for e in errors:
            print(f"{name}: {'/'.join(map(str, e.absolute_path))}: {e.message}")
        bad += bool(errors)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

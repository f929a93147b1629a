#!/usr/bin/env python3
"""Derive JSON Schemas for the ECS RegisterTaskDefinition, CreateService and
RunTask inputs from the ECS API model that the AWS CLI validates against.

Input (pinned, committed): schemas/source/botocore-ecs-service-2.json, the
ECS model (API version 2014-11-13) as shipped in botocore 1.43.11 — see
schemas/NOTICE.md. Output (committed):

  schemas/ecs-register-task-definition.schema.json
  schemas/ecs-create-service.schema.json
  schemas/ecs-run-task.schema.json

Rerun after replacing the model:  python3 scripts/ecs-schemas.py
(`--check` exits 1 when the committed files differ; the tests check it too.)

Mapping: structure -> object with additionalProperties false and required;
list -> array (min/max -> minItems/maxItems); map -> object of values;
string -> string (enum, pattern, min/max -> minLength/maxLength);
integer/long -> integer (min/max); double/float -> number; boolean;
timestamp/blob -> string. Shapes become $defs, referenced by name. Then the
rules the model leaves to its documentation are added (see `extras`).
"""

import html
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "schemas/source/botocore-ecs-service-2.json"
OUT = {
    "RegisterTaskDefinitionRequest": ROOT / "schemas/ecs-register-task-definition.schema.json",
    "CreateServiceRequest": ROOT / "schemas/ecs-create-service.schema.json",
    "RunTaskRequest": ROOT / "schemas/ecs-run-task.schema.json",
}
COMMAND = {
    "RegisterTaskDefinitionRequest": "register-task-definition",
    "CreateServiceRequest": "create-service",
    "RunTaskRequest": "run-task",
}

# FARGATE task sizes: cpu units -> memory MiB allowed.
FARGATE = [
    (256, [512, 1024, 2048]),
    (512, list(range(1024, 4097, 1024))),
    (1024, list(range(2048, 8193, 1024))),
    (2048, list(range(4096, 16385, 1024))),
    (4096, list(range(8192, 30721, 1024))),
    (8192, list(range(16384, 61441, 4096))),
    (16384, list(range(32768, 122881, 8192))),
]
NAME = "^[a-zA-Z0-9_-]{1,255}$"


def summary(doc):
    """The first sentence of a member's documentation, as plain text."""
    text = html.unescape(re.sub(r"<[^>]+>", "", doc or "")).strip()
    text = re.sub(r"\s+", " ", text)
    m = re.match(r"(.+?[.])(\s|$)", text)
    first = m.group(1) if m else text
    return first[:300]


def convert(name, shapes, defs):
    """A $ref to the schema of shape `name`, adding it (and what it uses)."""
    if name not in defs:
        defs[name] = None  # reserve: recursive shapes
        shape = shapes[name]
        t = shape["type"]
        if t == "structure":
            props = {}
            for member, spec in shape["members"].items():
                sub = convert(spec["shape"], shapes, defs)
                d = summary(spec.get("documentation"))
                props[member] = dict(sub, description=d) if d else sub
            s = {"type": "object", "properties": props, "additionalProperties": False}
            if shape.get("required"):
                s["required"] = list(shape["required"])
        elif t == "list":
            s = {"type": "array", "items": convert(shape["member"]["shape"], shapes, defs)}
            if "min" in shape:
                s["minItems"] = shape["min"]
            if "max" in shape:
                s["maxItems"] = shape["max"]
        elif t == "map":
            s = {"type": "object", "additionalProperties": convert(shape["value"]["shape"], shapes, defs)}
        elif t == "string":
            s = {"type": "string"}
            if "enum" in shape:
                s["enum"] = list(shape["enum"])
            if "pattern" in shape:
                s["pattern"] = shape["pattern"]
            if "min" in shape:
                s["minLength"] = shape["min"]
            if "max" in shape:
                s["maxLength"] = shape["max"]
        elif t in ("integer", "long"):
            s = {"type": "integer"}
            if "min" in shape:
                s["minimum"] = shape["min"]
            if "max" in shape:
                s["maximum"] = shape["max"]
        elif t in ("double", "float"):
            s = {"type": "number"}
        elif t == "boolean":
            s = {"type": "boolean"}
        elif t in ("timestamp", "blob"):
            s = {"type": "string"}
        else:
            raise SystemExit(f"unknown shape type {t} of {name}")
        defs[name] = s
    return {"$ref": f"#/$defs/{name}"}


def extras(request, defs):
    """The rules of the ECS documentation that the model's shapes do not carry."""
    if request == "RegisterTaskDefinitionRequest":
        req = defs["RegisterTaskDefinitionRequest"]
        req["properties"]["family"]["pattern"] = NAME
        for key in ("cpu", "memory"):
            req["properties"][key]["pattern"] = "^[0-9]+$"
        cd = defs["ContainerDefinition"]
        cd["required"] = sorted(set(cd.get("required", [])) | {"name", "image"})
        cd["properties"]["name"]["pattern"] = NAME
        pairs = [
            {"properties": {"cpu": {"const": str(c)}, "memory": {"enum": [str(m) for m in mems]}}}
            for c, mems in FARGATE
        ]
        req["allOf"] = [
            {
                "description": "FARGATE tasks need a valid cpu/memory pair and awsvpc.",
                "if": {
                    "properties": {"requiresCompatibilities": {"contains": {"const": "FARGATE"}}},
                    "required": ["requiresCompatibilities"],
                },
                "then": {
                    "required": ["cpu", "memory", "networkMode"],
                    "properties": {"networkMode": {"const": "awsvpc"}},
                    "anyOf": pairs,
                },
            }
        ]
    if request == "CreateServiceRequest":
        req = defs["CreateServiceRequest"]
        req["properties"]["serviceName"]["pattern"] = NAME
    if request == "RunTaskRequest":
        # "count: The number of instantiations of the specified task to place
        # on your cluster. You can specify up to 10 tasks for each call."
        defs["RunTaskRequest"]["properties"]["count"].update(minimum=1, maximum=10)


def schema_for(request, model):
    shapes = model["shapes"]
    defs = {}
    convert(request, shapes, defs)
    extras(request, defs)
    root = dict(defs.pop(request))
    out = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": request,
        "description": f"The `aws ecs {COMMAND[request]} --cli-input-json` input, "
        f"derived from the ECS API model {model['metadata']['apiVersion']} by scripts/ecs-schemas.py.",
    }
    out.update(root)
    out["$defs"] = {k: defs[k] for k in sorted(defs)}
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def main():
    model = json.loads(MODEL.read_text())
    check = "--check" in sys.argv
    stale = False
    for request, path in OUT.items():
        text = schema_for(request, model)
        if check:
            if not path.exists() or path.read_text() != text:
                print(f"{path.relative_to(ROOT)} is stale; run python3 scripts/ecs-schemas.py", file=sys.stderr)
                stale = True
        else:
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")
    sys.exit(1 if stale else 0)


if __name__ == "__main__":
    main()

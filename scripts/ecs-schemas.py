#!/usr/bin/env python3
"""Derive JSON Schemas for every input compose2ecs writes from the API models
the AWS CLI validates against: ECS RegisterTaskDefinition, CreateService and
RunTask; Application Auto Scaling RegisterScalableTarget, PutScalingPolicy and
PutScheduledAction (together, `<family>.scaling.json`); EventBridge Scheduler
CreateSchedule.

Input (pinned, committed): schemas/source/botocore-<service>-service-2.json,
the models as shipped in botocore 1.44.8 — see schemas/PROVENANCE. Output
(committed):

  schemas/ecs-register-task-definition.schema.json
  schemas/ecs-create-service.schema.json
  schemas/ecs-run-task.schema.json
  schemas/application-autoscaling-scaling.schema.json
  schemas/scheduler-create-schedule.schema.json

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
MODELS = {
    svc: ROOT / f"schemas/source/botocore-{svc}-service-2.json"
    for svc in ("ecs", "application-autoscaling", "scheduler")
}
# (model, request shape, output, what it is)
OUT = [
    ("ecs", "RegisterTaskDefinitionRequest", "ecs-register-task-definition",
     "The `aws ecs register-task-definition --cli-input-json` input"),
    ("ecs", "CreateServiceRequest", "ecs-create-service",
     "The `aws ecs create-service --cli-input-json` input"),
    ("ecs", "RunTaskRequest", "ecs-run-task", "The `aws ecs run-task --cli-input-json` input"),
    ("application-autoscaling", SCALING := "Scaling", "application-autoscaling-scaling",
     "`<family>.scaling.json`: the `aws application-autoscaling register-scalable-target`, "
     "`put-scaling-policy` and `put-scheduled-action --cli-input-json` inputs of one ECS service"),
    ("scheduler", "CreateScheduleInput", "scheduler-create-schedule",
     "The `aws scheduler create-schedule --cli-input-json` input"),
]
# The members of `<family>.scaling.json`: each the input of one call.
SCALING_MEMBERS = {
    "scalableTarget": ("RegisterScalableTargetRequest", False),
    "scalingPolicies": ("PutScalingPolicyRequest", True),
    "scheduledActions": ("PutScheduledActionRequest", True),
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


def pattern(p):
    """A model's (Java) pattern as an ECMA 262 one the Rust validator
    compiles: `\\p{Print}` is Java's printable ASCII; a class of every
    character XML allows (written with surrogate escapes, which a Rust regex
    cannot hold) and a lone `*` over it restrict nothing, so they go."""
    if "\\uD800" in p:
        return None
    return p.replace("\\p{Print}", "[\\x20-\\x7E]")


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
            if "pattern" in shape and (p := pattern(shape["pattern"])) is not None:
                s["pattern"] = p
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


def schema_for(request, model, what):
    shapes = model["shapes"]
    defs = {}
    if request == SCALING:
        props = {}
        for member, (shape, many) in SCALING_MEMBERS.items():
            ref = convert(shape, shapes, defs)
            props[member] = {"type": "array", "items": ref} if many else ref
        defs[SCALING] = {
            "type": "object",
            "properties": props,
            "required": ["scalableTarget"],
            "additionalProperties": False,
        }
    else:
        convert(request, shapes, defs)
    extras(request, defs)
    root = dict(defs.pop(request))
    out = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": request,
        "description": f"{what}, derived from the {model['metadata']['serviceId']} API model "
        f"{model['metadata']['apiVersion']} by scripts/ecs-schemas.py.",
    }
    out.update(root)
    out["$defs"] = {k: defs[k] for k in sorted(defs)}
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def main():
    models = {svc: json.loads(path.read_text()) for svc, path in MODELS.items()}
    check = "--check" in sys.argv
    stale = False
    for svc, request, name, what in OUT:
        path = ROOT / f"schemas/{name}.schema.json"
        text = schema_for(request, models[svc], what)
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

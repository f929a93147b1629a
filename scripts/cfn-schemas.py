#!/usr/bin/env python3
"""Copy the CloudFormation resource schemas the template target writes from
the pinned cfn-lint (scripts/test-constraints.txt) into schemas/cloudformation/,
descriptions left out.

compose2ecs reads them to name each property of its template as CloudFormation
does (`ContainerDefinitions`, `EFSVolumeConfiguration`, `PlacementStrategies`):
the ECS API model's member names, matched to the resource schema's property
names (docs/DESIGN.md, "CloudFormation: the same model, CloudFormation's
names"). cfn-lint lints the templates against the same schemas.

Run with the Python that has cfn-lint (.venv/bin/python, after scripts/test):

  .venv/bin/python scripts/cfn-schemas.py          # write
  .venv/bin/python scripts/cfn-schemas.py --check  # exit 1 when they differ
"""

import json
import sys
from pathlib import Path

import cfnlint
from importlib import metadata

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "schemas/cloudformation"
TYPES = [
    "AWS::ECS::TaskDefinition",
    "AWS::ECS::Service",
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
    "AWS::Scheduler::Schedule",
    "AWS::Logs::LogGroup",
]
# Text only for people: left out to keep the files small.
DROPPED = {"description", "handlers", "sourceUrl", "markdownDescription"}


def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in DROPPED}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def main():
    schemas = Path(cfnlint.__file__).parent / "data/schemas"
    region = json.loads((schemas / "providers/us-east-1.json").read_text())
    version = metadata.version("cfn-lint")
    wanted = {}
    for name in TYPES:
        source = schemas / "resources" / f"{region[name]}.json"
        schema = strip(json.loads(source.read_text()))
        text = json.dumps(schema, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        wanted[OUT / (name.replace("::", "-") + ".json")] = text
    index = {
        "cfn-lint": version,
        "region": "us-east-1",
        "resources": {name: f"cfnlint/data/schemas/resources/{region[name]}.json" for name in TYPES},
    }
    wanted[OUT / "SOURCE.json"] = json.dumps(index, indent=1, sort_keys=True) + "\n"
    if "--check" in sys.argv:
        stale = [p for p, t in wanted.items() if not p.exists() or p.read_text() != t]
        extra = [p for p in OUT.glob("*.json") if p not in wanted]
        if stale or extra:
            for p in stale + extra:
                print(f"{p.relative_to(ROOT)} is not what cfn-lint {version} gives: rerun scripts/cfn-schemas.py", file=sys.stderr)
            sys.exit(1)
        return
    OUT.mkdir(parents=True, exist_ok=True)
    for p, t in wanted.items():
        p.write_text(t)


main()

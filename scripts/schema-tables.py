#!/usr/bin/env python3
"""Compile the JSON Schemas compose2ecs checks at run time into Rust tables,
so that no schema is compiled when compose2ecs runs.

Input (committed): schemas/compose-spec.json and the five ECS, Application
Auto Scaling and Scheduler request schemas that scripts/ecs-schemas.py makes.
Output (committed): compose2ecs-core/src/validate/tables.rs, one static array
of nodes per schema, read by compose2ecs-core/src/validate/schema.rs.

Rerun after changing a schema:  python3 scripts/schema-tables.py
(`--check` exits 1 when the committed file differs; .ci/run runs it.)

Each subschema becomes one node; `$ref` becomes the index of its target;
`pattern` and `patternProperties` regular expressions become variants of
`Pattern`, whose matchers are written by hand in schema.rs (a regular
expression this script does not know stops it: write its matcher there and
name it in PATTERNS below). Annotations (title, description, default,
deprecated, $id, $schema) are left out. The differential test
(compose2ecs-core/src/differential.rs) holds every verdict equal to the
jsonschema crate's on the same schemas.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "compose2ecs-core/src/validate/tables.rs"
SCHEMAS = [
    ("COMPOSE", "compose-spec.json"),
    ("TASK_DEFINITION", "ecs-register-task-definition.schema.json"),
    ("SERVICE", "ecs-create-service.schema.json"),
    ("RUN_TASK", "ecs-run-task.schema.json"),
    ("SCALING", "application-autoscaling-scaling.schema.json"),
    ("SCHEDULE", "scheduler-create-schedule.schema.json"),
]
# Every regular expression of the schemas, by the `Pattern` variant whose
# hand-written matcher decides it.
PATTERNS = {
    ".+": "NotOnlyNewlines",
    "^.+$": "OneLine",
    "^[a-zA-Z0-9._-]+$": "ComposeName",
    "^[a-z]+$": "Lowercase",
    "^x-": "Extension",
    "[a-zA-Z0-9][a-zA-Z0-9_.-]+": "ContainsContainerName",
    "always|never|build|if_not_present|missing|refresh|daily|weekly|every_([0-9]+[wdhms])+": "ContainsPullPolicy",
    "([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)": "Anything",
    "[A-Za-z0-9\\-_]*": "Anything",
    "^[0-9]+$": "Digits",
    "^[a-zA-Z0-9_-]{1,255}$": "EcsName",
    "(?!((^[ ]+.*)|(.*([\\u0000-\\u001f]|[\\u007f-\\u009f]|[:/|])+.*)|(.*[ ]+$))).+": "ScalingName",
    "[\\x20-\\x7E]+": "ContainsPrintableAscii",
    "(?=[/\\.\\-_A-Za-z0-9]+)((?!aws\\.).*)|(\\$(\\.[\\w_-]+(\\[(\\d+|\\*)\\])*)*)": "ScheduleSource",
    "[0-9a-zA-Z-_.]+": "ContainsNameChar",
    "[a-zA-Z0-9-_]+": "ContainsWordChar",
    "arn:aws[a-z-]*:iam::\\d{12}:role\\/[\\w+=,.@\\/-]+": "ContainsRoleArn",
    "arn:aws[a-z-]*:kms:[a-z0-9\\-]+:\\d{12}:(key|alias)\\/[0-9a-zA-Z-_]*": "ContainsKmsArn",
    "arn:aws[a-z-]*:sqs:[a-z0-9\\-]+:\\d{12}:[a-zA-Z0-9\\-_]+": "ContainsSqsArn",
}
ANNOTATIONS = {"title", "description", "default", "deprecated", "$id", "$schema", "examples", "$comment"}
KNOWN = ANNOTATIONS | {
    "type", "$ref", "properties", "patternProperties", "additionalProperties", "required",
    "items", "minItems", "maxItems", "uniqueItems", "contains", "enum", "const", "oneOf",
    "anyOf", "allOf", "if", "then", "minimum", "maximum", "minLength", "maxLength", "pattern",
    "$defs",
}
TYPES = {"null": "NULL", "boolean": "BOOLEAN", "integer": "INTEGER", "number": "NUMBER",
         "string": "STRING", "array": "ARRAY", "object": "OBJECT"}


def rust_str(s):
    return json.dumps(s, ensure_ascii=False)


def number(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        sys.exit(f"not a number: {v!r}")
    return f"{float(v)!r}".replace("inf", "f64::INFINITY")


class Compiler:
    def __init__(self, name, schema):
        self.name = name
        self.schema = schema
        self.nodes = []      # rendered nodes, by index
        self.index = {}      # id(subschema) -> index
        self.pointers = {}   # "#/$defs/x" -> subschema

    def resolve(self, ref):
        if not ref.startswith("#"):
            sys.exit(f"{self.name}: only local $ref is supported: {ref}")
        node = self.schema
        for seg in ref[1:].split("/")[1:]:
            node = node[seg.replace("~1", "/").replace("~0", "~")]
        return node

    def node(self, s):
        key = id(s)
        if key in self.index:
            return self.index[key]
        i = len(self.nodes)
        self.index[key] = i
        self.nodes.append(None)
        self.nodes[i] = self.render(s)
        return i

    def render(self, s):
        if isinstance(s, bool):
            return f"Node {{ boolean: Some({'true' if s else 'false'}), ..Node::EMPTY }}"
        unknown = set(s) - KNOWN
        if unknown:
            sys.exit(f"{self.name}: keywords this script does not compile: {sorted(unknown)}")
        f = []
        if "type" in s:
            t = s["type"] if isinstance(s["type"], list) else [s["type"]]
            f.append("types: " + " | ".join(TYPES[x] for x in t))
        if "$ref" in s:
            f.append(f"reference: {self.node(self.resolve(s['$ref']))}")
        if "properties" in s:
            props = sorted(s["properties"].items())
            f.append("properties: &[" + ", ".join(f"({rust_str(k)}, {self.node(v)})" for k, v in props) + "]")
        if "patternProperties" in s:
            f.append("patterns: &[" + ", ".join(
                f"(Pattern::{self.pattern(k)}, {self.node(v)})" for k, v in s["patternProperties"].items()) + "]")
        if "additionalProperties" in s:
            a = s["additionalProperties"]
            if a is False:
                f.append("additional: Additional::Forbidden")
            elif a is not True:
                f.append(f"additional: Additional::Schema({self.node(a)})")
        if "required" in s:
            f.append("required: &[" + ", ".join(rust_str(r) for r in s["required"]) + "]")
        if "items" in s:
            if not isinstance(s["items"], (dict, bool)):
                sys.exit(f"{self.name}: tuple `items` is not supported")
            f.append(f"items: {self.node(s['items'])}")
        if "contains" in s:
            f.append(f"contains: {self.node(s['contains'])}")
        for k, field in (("minItems", "min_items"), ("maxItems", "max_items"),
                         ("minLength", "min_length"), ("maxLength", "max_length")):
            if k in s:
                f.append(f"{field}: Some({int(s[k])})")
        if s.get("uniqueItems") is True:
            f.append("unique_items: true")
        if "enum" in s:
            if not all(isinstance(v, str) for v in s["enum"]):
                sys.exit(f"{self.name}: only string enums are supported")
            f.append("enumeration: Some(&[" + ", ".join(rust_str(v) for v in s["enum"]) + "])")
        if "const" in s:
            if not isinstance(s["const"], str):
                sys.exit(f"{self.name}: only string consts are supported")
            f.append(f"constant: Some({rust_str(s['const'])})")
        for k, field in (("oneOf", "one_of"), ("anyOf", "any_of"), ("allOf", "all_of")):
            if k in s:
                f.append(f"{field}: &[" + ", ".join(str(self.node(b)) for b in s[k]) + "]")
        if "if" in s:
            f.append(f"if_: {self.node(s['if'])}")
            if "then" in s:
                f.append(f"then: {self.node(s['then'])}")
        for k, field in (("minimum", "minimum"), ("maximum", "maximum")):
            if k in s:
                f.append(f"{field}: Some({number(s[k])})")
        if "pattern" in s:
            f.append(f"pattern: Some(Pattern::{self.pattern(s['pattern'])})")
        return "Node { " + ", ".join(f + ["..Node::EMPTY"]) + " }"

    def pattern(self, source):
        if source not in PATTERNS:
            sys.exit(f"{self.name}: no matcher for the pattern {source!r}: write one in "
                     "compose2ecs-core/src/validate/schema.rs and name it in PATTERNS")
        return PATTERNS[source]


def generate():
    out = ["// @generated by scripts/schema-tables.py from the schemas in schemas/: do not edit.",
           "// Rerun the script after changing a schema; `--check` (in .ci/run) holds them equal.",
           "",
           "#![allow(clippy::unreadable_literal)]",
           "",
           "use super::schema::{Additional, Node, Pattern, Schema};",
           "use super::schema::{ARRAY, BOOLEAN, INTEGER, NULL, NUMBER, OBJECT, STRING};",
           ""]
    for name, file in SCHEMAS:
        schema = json.loads((ROOT / "schemas" / file).read_text())
        c = Compiler(name, schema)
        root = c.node(schema)
        out.append(f"/// `schemas/{file}`.")
        out.append(f"pub(crate) static {name}: Schema = Schema {{ root: {root}, nodes: &{name}_NODES }};")
        out.append(f"static {name}_NODES: [Node; {len(c.nodes)}] = [")
        for i, n in enumerate(c.nodes):
            out.append(f"    /* {i} */ {n},")
        out.append("];")
        out.append("")
    return "\n".join(out)


def main():
    text = generate()
    if "--check" in sys.argv[1:]:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT.relative_to(ROOT)} is stale: run python3 scripts/schema-tables.py", file=sys.stderr)
            sys.exit(1)
        return
    OUT.write_text(text)


if __name__ == "__main__":
    main()

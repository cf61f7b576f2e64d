#!/usr/bin/env python3
"""Oracle for strata's Jinja engine: renders templates with real Jinja2, set up as dbt sets it up.

Regenerate every golden file (run from the repository root):

    python3 engine/jinja/testdata/oracle.py

That reads engine/jinja/testdata/corpus/*.txtar and writes engine/jinja/testdata/golden/<topic>.json
(one per corpus file; stale golden files without a corpus file are removed). Running it twice is a
no-op: keys are sorted and the JSON layout is fixed.

Other modes:

    python3 engine/jinja/testdata/oracle.py --golden DIR       # write the goldens into DIR instead
    python3 engine/jinja/testdata/oracle.py --batch IN.json OUT.json
    python3 engine/jinja/testdata/oracle.py --bench SECONDS   # throughput, for make bench

In batch mode (used by fuzz_test.go) IN is a JSON list of {"name", "template", "vars"} and OUT
becomes a JSON object mapping each name to its result.

A result is {"out": "<rendered text>"} or {"error": "<exception class>", "message": "<str(exc)>"}.

Corpus format: txtar. A line "-- NAME --" starts a file, which runs to the next such line (text
before the first marker is a comment). Each case is "<case>.tmpl" (the template), optionally
followed by "<case>.json" (a JSON object of render variables, passed as template.render(**vars)).
Object keys in a .json file must be sorted at every level: the Go engine receives the variables
as a map[string]any, which has no key order, so it can only agree with Python on sorted keys.
As in golang.org/x/tools/txtar, the last file of an archive gets a final newline if it lacks one.

The environment is dbt's: SandboxedEnvironment with the do and loopcontrols extensions, the default
Undefined, no trim_blocks / lstrip_blocks, keep_trailing_newline off, autoescape off. Needs
Jinja2 3.1 (the goldens were made with Jinja2 3.1.6).
"""

import json
import os
import re
import signal
import sys
import warnings

import jinja2
import jinja2.sandbox

# Jinja2 compiles templates to Python; odd but valid templates (5[0]) make Python warn.
warnings.simplefilter("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS_DIR = os.path.join(HERE, "corpus")
GOLDEN_DIR = os.path.join(HERE, "golden")

# A template that runs longer than this is reported as an OracleTimeout error (fuzz tests skip them).
TIMEOUT_SECONDS = 10


def make_env():
    return jinja2.sandbox.SandboxedEnvironment(
        extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"],
        undefined=jinja2.Undefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=False,
        autoescape=False,
    )


class OracleTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise OracleTimeout("template took longer than %d s" % TIMEOUT_SECONDS)


def render(template, variables):
    """Render one template; return the result object."""
    env = make_env()
    use_alarm = hasattr(signal, "SIGALRM")
    if use_alarm:
        old = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, TIMEOUT_SECONDS)
    try:
        tmpl = env.from_string(template)
        return {"out": tmpl.render(**variables)}
    except Exception as exc:  # every failure is a result, including Python's own errors
        return {"error": type(exc).__name__, "message": str(exc)}
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)


# --- txtar ---------------------------------------------------------------------------------------


def _is_marker(data, pos):
    """Port of txtar.isMarker: return (name, next_pos) if data[pos:] starts with a marker line."""
    if not data.startswith(b"-- ", pos):
        return None, None
    nl = data.find(b"\n", pos)
    if nl >= 0:
        line, after = data[pos:nl], nl + 1
        if line.endswith(b"\r"):
            line = line[:-1]
    else:
        line, after = data[pos:], len(data)
    if not (line.endswith(b" --") and len(line) >= 6):
        return None, None
    return line[3:-3].decode("utf-8").strip(), after


def _fix_nl(b):
    return b if (len(b) == 0 or b.endswith(b"\n")) else b + b"\n"


def _find_marker(data, start):
    """Port of txtar.findFileMarker: return (before, name, after_pos)."""
    i = start
    while True:
        name, after = _is_marker(data, i)
        if name:
            return data[start:i], name, after
        j = data.find(b"\n-- ", i)
        if j < 0:
            return _fix_nl(data[start:]), "", None
        i = j + 1


def parse_txtar(data):
    """Return the list of (name, bytes) files of a txtar archive (bytes in, no newline translation)."""
    files = []
    _, name, pos = _find_marker(data, 0)
    while name:
        content, next_name, next_pos = _find_marker(data, pos)
        files.append((name, content))
        name, pos = next_name, next_pos
    return files


def _sorted_object(pairs):
    """json object hook for .json files: keys must be unique and sorted at every level.

    The Go harness hands the engine a map[string]any, which has no order, so the engine sees
    object keys sorted; the file must say what Python sees, so it must be sorted too.
    """
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key in %r" % keys)
    if keys != sorted(keys):
        raise ValueError("object keys must be sorted (Go maps have no order): %r" % keys)
    return dict(pairs)


def load_topic(path):
    """Return an ordered list of (case, template, vars) for one corpus file, checking its shape."""
    with open(path, "rb") as f:
        files = parse_txtar(f.read())
    cases = []
    index = {}
    for name, content in files:
        text = content.decode("utf-8")
        if name.endswith(".tmpl"):
            case = name[: -len(".tmpl")]
            if not case or case in index:
                raise SystemExit("%s: duplicate or empty case name %r" % (path, case))
            index[case] = len(cases)
            cases.append([case, text, {}])
        elif name.endswith(".json"):
            case = name[: -len(".json")]
            if case not in index or index[case] != len(cases) - 1:
                raise SystemExit("%s: %s must directly follow %s.tmpl" % (path, name, case))
            try:
                variables = json.loads(text, object_pairs_hook=_sorted_object)
            except ValueError as exc:
                raise SystemExit("%s: %s: bad JSON: %s" % (path, name, exc))
            if not isinstance(variables, dict):
                raise SystemExit("%s: %s: vars must be a JSON object" % (path, name))
            cases[-1][2] = variables
        else:
            raise SystemExit("%s: file %r is neither <case>.tmpl nor <case>.json" % (path, name))
    return cases


# --- output --------------------------------------------------------------------------------------


def dump(obj):
    return json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(dump(obj))
    os.replace(tmp, path)


# Output naming a Python object's address (a generator, a bound method, a cycler) differs from run
# to run; such a case can never be matched and must be rewritten.
UNSTABLE = re.compile(r" at 0x[0-9a-fA-F]+")


def regenerate(golden_dir):
    os.makedirs(golden_dir, exist_ok=True)
    topics = sorted(n[: -len(".txtar")] for n in os.listdir(CORPUS_DIR) if n.endswith(".txtar"))
    total = 0
    errors = 0
    for topic in topics:
        results = {}
        for case, template, variables in load_topic(os.path.join(CORPUS_DIR, topic + ".txtar")):
            results[case] = render(template, variables)
            errors += "error" in results[case]
            if UNSTABLE.search(results[case].get("out", "") + results[case].get("message", "")):
                raise SystemExit("%s/%s: output is not deterministic: %r" % (topic, case, results[case]))
            if results[case].get("error") == "OracleTimeout":
                raise SystemExit("%s/%s: Jinja2 took longer than %d s; make the case smaller" % (topic, case, TIMEOUT_SECONDS))
        total += len(results)
        write(os.path.join(golden_dir, topic + ".json"), results)
    for n in os.listdir(golden_dir):
        if n.endswith(".json") and n[: -len(".json")] not in topics:
            os.remove(os.path.join(golden_dir, n))
    sys.stderr.write(
        "oracle: %d topics, %d cases (%d errors) with Jinja2 %s\n"
        % (len(topics), total, errors, jinja2.__version__)
    )


def bench(seconds):
    """Print how many corpus templates (output cases) Jinja2 compiles and renders a second."""
    import time

    env = make_env()
    cases = []
    topics = sorted(n[: -len(".txtar")] for n in os.listdir(CORPUS_DIR) if n.endswith(".txtar"))
    for topic in topics:
        with open(os.path.join(GOLDEN_DIR, topic + ".json"), encoding="utf-8") as f:
            gold = json.load(f)
        for case, template, variables in load_topic(os.path.join(CORPUS_DIR, topic + ".txtar")):
            if "out" in gold.get(case, {}):
                cases.append((template, variables))
    start = time.perf_counter()
    n = 0
    while time.perf_counter() - start < seconds:
        for template, variables in cases:
            env.from_string(template).render(**variables)
            n += 1
    took = time.perf_counter() - start
    print(json.dumps({"cases": len(cases), "templates": n, "seconds": took}))


def batch(in_path, out_path):
    with open(in_path, encoding="utf-8") as f:
        items = json.load(f)
    results = {}
    for item in items:
        results[item["name"]] = render(item["template"], item.get("vars") or {})
    write(out_path, results)


def main(argv):
    if len(argv) == 2 and argv[0] == "--bench":
        bench(float(argv[1]))
        return
    if len(argv) == 3 and argv[0] == "--batch":
        batch(argv[1], argv[2])
    elif len(argv) == 2 and argv[0] == "--golden":
        regenerate(argv[1])
    elif not argv:
        regenerate(GOLDEN_DIR)
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

# Regenerates golden.json: each template rendered by Jinja2 3.1 (sandboxed, do and
# loopcontrols, as dbt configures it) with modules.re = Python's re.
#   python3 engine/compile/testdata/_pyre/oracle.py > engine/compile/testdata/_pyre/golden.json
import re, json, types, jinja2, jinja2.sandbox
env = jinja2.sandbox.SandboxedEnvironment(extensions=['jinja2.ext.do', 'jinja2.ext.loopcontrols'])
tpls = [
 ("lookaround findall", r"""{{ modules.re.findall('(?<!distinct\\s)(from|join)\\s+(\\w+)(?=\\s|$)', 'select distinct from x from a join b') }}"""),
 ("verbose with comments", "{% set p %}(?ix)\n  # the keyword (from or join)\n  (from|join)\\s+\n  ([a-z_]+)   # a name (no dots)\n{% endset %}{{ modules.re.findall(p, 'FROM orders join Users') }}"),
 ("verbose flag", r"""{{ modules.re.findall('a b  c # comment (x)', 'abc a b c', modules.re.X) }}"""),
 ("named and numbered groups", r"""{{ modules.re.match('(?P<a>x)(y)(?P<b>z)', 'xyz').groups() }}"""),
 ("groupdict", r"""{{ modules.re.match('(?P<a>x)(y)(?P<b>z)', 'xyz').groupdict() }}"""),
 ("group by name", r"""{{ modules.re.search('(?P<n>\\d+)-(?P<m>\\d+)', 'a 12-34').group('m') }}"""),
 ("backreference", r"""{{ modules.re.findall('(\\w)\\1', 'aabbcd') }}"""),
 ("named backreference", r"""{{ modules.re.sub('(?P<w>\\w+) (?P=w)', '\\g<w>', 'the the cat cat dog') }}"""),
 ("sub templates", r"""{{ modules.re.sub('(\\w+)@(\\w+)', '\\2 at \\1 costs $5', 'me@home') }}"""),
 ("sub count", r"""{{ modules.re.sub('a', 'b', 'aaaa', count=2) }}"""),
 ("split with groups", r"""{{ modules.re.split('(,)|;', 'a,b;c') }}"""),
 ("split maxsplit", r"""{{ modules.re.split('\\s+', 'a b  c d', maxsplit=2) }}"""),
 ("match anchors at 0", r"""{{ modules.re.match('b', 'ab') is none }} {{ modules.re.search('b', 'ab').group() }}"""),
 ("fullmatch alternation", r"""{{ modules.re.fullmatch('a|ab', 'ab').group() }} {{ modules.re.fullmatch('a', 'ab') is none }}"""),
 ("end of string", "{{ modules.re.search('x\\\\Z', 'x\\n') is none }} {{ modules.re.search('x$', 'x\\n') is none }}"),
 ("flags", r"""{{ modules.re.findall('^b\\w', 'bA\nBc', modules.re.I + modules.re.M) }}"""),
 ("optional group in findall", r"""{{ modules.re.findall('(a)(x)?', 'aa') }} {{ modules.re.match('(a)(x)?', 'a').groups() }}"""),
 ("compile", r"""{% set rx = modules.re.compile('(\\d+)') %}{{ rx.findall('1 22 333') }} {{ rx.sub('#', 'a1b22') }}"""),
 ("escape", r"""{{ modules.re.findall(modules.re.escape('a.b*c'), 'xa.b*cx') }}"""),
 ("dotall", r"""{{ modules.re.findall('a.b', 'a\nb') }} {{ modules.re.findall('a.b', 'a\nb', modules.re.S) | length }}"""),
 ("unicode", r"""{{ modules.re.findall('\\w+', 'naïve café') }}"""),
 ("empty matches", r"""{{ modules.re.sub('x*', '-', 'abc') }} {{ modules.re.findall('x*', 'ab') }}"""),
]
mods = types.SimpleNamespace(re=re)
out = []
for name, t in tpls:
    out.append({"name": name, "template": t, "want": env.from_string(t).render(modules=mods)})
print(json.dumps(out, indent=1, ensure_ascii=False))

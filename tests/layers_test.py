"""The layers of tool/ (docs/architecture.md) as the build declares them: every quoted #include in
tool/<layer>/ names a header of that layer or of one the layer's poolify_layer(...) call in CMakeLists.txt
lists, by its layer-rooted path ("pipeline/reader.h"). A relative parent path ("../pipeline/reader.h") is
refused outright: the compiler finds it beside the source whatever the layer's include root holds, so it
is the one way an upward include would still build.

Usage: layers_test.py [--root SOURCE_TREE]   (exit 0 clean, 1 with one line per offending include)
       layers_test.py --self-test            (the checker must catch each kind of violation)"""
import os
import re
import sys
import tempfile

LAYER_CALL = re.compile(r'^\s*poolify_layer\(([^)]*)\)', re.MULTILINE)
QUOTED_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)


def declared_layers(cmake_text):
    """{layer: set of layers it may include (itself too)}, from the poolify_layer(...) calls."""
    layers = {}
    for call in LAYER_CALL.finditer(cmake_text):
        names = call.group(1).split()
        if names:
            layers[names[0]] = set(names)
    return layers


def violations(root):
    """One line per quoted include in root/tool that breaks the layering, in file order."""
    with open(os.path.join(root, 'CMakeLists.txt'), encoding='utf-8') as f:
        layers = declared_layers(f.read())
    tool = os.path.join(root, 'tool')
    found = []
    for layer in sorted(os.listdir(tool)):
        folder = os.path.join(tool, layer)
        if not os.path.isdir(folder):
            continue
        allowed = layers.get(layer)
        for name in sorted(os.listdir(folder)):
            if not name.endswith(('.h', '.cpp')):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding='utf-8') as f:
                text = f.read()
            for m in QUOTED_INCLUDE.finditer(text):
                line = text.count('\n', 0, m.start()) + 1
                where = f'tool/{layer}/{name}:{line}'
                why = offence(m.group(1), layer, allowed, tool)
                if why:
                    found.append(f'{where}: #include "{m.group(1)}": {why}')
    return found


def offence(include, layer, allowed, tool):
    """Why `include` may not appear in tool/<layer>/, or None when it may."""
    if allowed is None:
        return f'tool/{layer}/ is no layer of CMakeLists.txt (add a poolify_layer call)'
    if include.startswith('.') or '/../' in include or include.startswith('/'):
        return 'a relative or absolute path; name the header from its layer ("layer/header.h")'
    head = include.split('/', 1)[0]
    if '/' not in include:
        if os.path.exists(os.path.join(tool, layer, include)):
            return f'name it from its layer ("{layer}/{include}")'
        return None  # a generated header (version.h), from the target's own include path
    if os.path.isdir(os.path.join(tool, head)) and head not in allowed:
        others = ', '.join(sorted(allowed - {layer})) or 'no other layer'
        return f'{layer} may not use {head} (CMakeLists.txt: it uses {others})'
    return None


def self_test():
    """The checker on a small tree: clean, then each violation caught."""
    cases = {
        'clean': ('#include "low/a.h"\n', 0),
        'upward': ('#include "high/b.h"\n', 1),
        'parent path': ('#include "../high/b.h"\n', 1),
        'sibling by bare name': ('#include "a.h"\n', 1),
    }
    failures = 0
    for label, (include, expected) in cases.items():
        with tempfile.TemporaryDirectory() as root:
            with open(os.path.join(root, 'CMakeLists.txt'), 'w', encoding='utf-8') as f:
                f.write('poolify_layer(low)\npoolify_layer(high low)\n')
            for layer, header in (('low', 'a.h'), ('high', 'b.h')):
                os.makedirs(os.path.join(root, 'tool', layer))
                with open(os.path.join(root, 'tool', layer, header), 'w', encoding='utf-8') as f:
                    f.write('#pragma once\n')
            with open(os.path.join(root, 'tool', 'low', 'x.cpp'), 'w', encoding='utf-8') as f:
                f.write(include)
            got = len(violations(root))
            if got != expected:
                print(f'self-test {label}: {got} violations, expected {expected}', file=sys.stderr)
                failures += 1
    return 1 if failures else 0


def main(argv):
    if argv[1:] == ['--self-test']:
        return self_test()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if len(argv) == 3 and argv[1] == '--root':
        root = argv[2]
    found = violations(root)
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))

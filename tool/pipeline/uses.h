// Which names of a module other modules of the run reach for. A module-level import is an
// attribute of its module: `from pkg.a import bigquery` in another file, `import pkg.a` then
// `pkg.a.bigquery`, `from pkg.a import *` (when pkg.a has no __all__), a patch target
// `"pkg.a.bigquery.Client"` or `patch.object(a, "bigquery")` all need it, even when nothing in
// pkg/a.py uses it any more. Module names resolve as Python's path-based finder does
// (source/modules.h), from the import roots a file runs under: the tree's, its deployment unit,
// and its own top folder (a script's sys.path[0], pytest's rootdir-less insertion).
#pragma once

#include "pipeline/engine.h"

#include <map>
#include <set>
#include <string>

namespace poolify::pipeline {

/// For the files of `removed` (file index -> module-level import names the rewrite removes),
/// the names some other file of the run uses through that module: file -> name -> why
/// ("pkg/b.py:3 imports bigquery from this module"). Every file found is scanned (each one read
/// again; only those that name one of the names, or hold a star import, are parsed). `rewritten`
/// lists uses (file index, offset) the run itself changes, which need nothing: the test patch
/// targets it retargets to the pooled callable.
std::map<size_t, std::map<std::string, std::string>>
usesFromOtherModules(const Run &run, const std::map<size_t, std::set<std::string>> &removed,
                     const std::set<std::pair<size_t, uint32_t>> &rewritten = {});

} // namespace poolify::pipeline

// Which names of a module other modules of the run reach for. A module-level import is an
// attribute of its module: `from pkg.a import bigquery` in another file, `import pkg.a` then
// `pkg.a.bigquery`, `from pkg.a import *` (when pkg.a has no __all__), a patch target
// `"pkg.a.bigquery.Client"` or `patch.object(a, "bigquery")` all need it, even when nothing in
// pkg/a.py uses it any more. Module names resolve as Python's path-based finder does
// (source/modules.h), from the import roots a file runs under: the tree's, its deployment unit,
// and its own top folder (a script's sys.path[0], pytest's rootdir-less insertion).
#pragma once

#include "pipeline/engine.h"
#include "source/discover.h"
#include "source/modules.h"

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace poolify::pipeline {

/// The real path of `p` (symlinks resolved), or `p` when it has none.
std::string realPath(const std::string &p);
/// The run's files by path. A module path found on disk (a real path: ModuleResolver::find) names
/// file i when it is file i's absolute path, as in most trees (no system call per file), else when
/// it is the same file by device and inode (a path through a symbolic link; the files are stat'ed
/// on the first such lookup only). The same answers as comparing real paths, without resolving
/// every file's.
class FilesByPath {
public:
  explicit FilesByPath(const std::vector<model::SourceFile> &files);
  /// Thread-safe.
  std::optional<size_t> find(const std::string &path) const;

private:
  std::string absolute(size_t i) const; // file i's path as find() is asked: absolute, `.` removed
  const std::vector<model::SourceFile> &files_;
  std::string cwd_;
  /// (hash of absolute(i), i), sorted: what a map from the paths would find, without a second
  /// copy of every path (a run holds this while it plans the patches, its peak of memory).
  std::vector<std::pair<size_t, size_t>> byHash_;
  // (device, inode) -> file: made by the first find() that needs it.
  mutable std::once_flag byInodeMade_;
  mutable std::map<std::pair<uint64_t, uint64_t>, size_t> byInode_;
};

/// "a.b.c" -> {"a", "b", "c"}.
std::vector<std::string> splitDotted(const std::string &dotted);

/// Resolves module names from the import roots of each file of a run, remembering what it found.
class ModuleResolver {
public:
  explicit ModuleResolver(const Run &run) : run_(run), cwd_(source::workingDirectory()) {}
  /// The sys.path entries file i may run with: the tree's roots, its deployment unit, and its top
  /// folder (the nearest folder at or above it that is not a package: a script's sys.path[0],
  /// where pytest puts a test module's folder).
  std::vector<std::vector<std::string>> rootSets(size_t i);
  /// The real path of the file `import dotted` loads with `paths` as sys.path ("" if none).
  const std::string &find(const std::vector<std::string> &paths, const std::string &dotted);
  /// The package folder a relative import of file i with `dots` leading dots starts from.
  std::string packageDir(size_t i, size_t dots) const;

private:
  std::string absoluteDir(size_t i) const; // file i's folder, absolute, without dots (source::lexicalAbsolute)

  const Run &run_;
  source::PathKinds kinds_;
  // (roots, name) -> real path of the file found; folder -> top folder; file found -> its real path
  std::unordered_map<std::string, std::string> memo_, topOf_, realOf_;
  std::string cwd_; // a getcwd per file was 4% of a warm check
};

/// Whether `text` (a file's bytes, without a BOM) may use one of `wanted` through a module whose
/// name ends with one of `modules` (the test before a file is parsed to find such uses): it names
/// one of them where a use through such a module would, or star-imports. Without `modules`, naming
/// one of `wanted` is enough.
bool mayUse(std::string_view text, const std::unordered_set<std::string_view> &wanted,
            const std::unordered_set<std::string_view> *modules);

/// For the files of `removed` (file index -> module-level import names the rewrite removes),
/// the names some other file of the run uses through that module: file -> name -> why
/// ("pkg/b.py:3 imports bigquery from this module"). Every file found is scanned (each one read
/// again; only those that name one of the names, or hold a star import, are parsed). `rewritten`
/// lists uses (file index, offset) the run itself changes, which need nothing: the test patch
/// targets it retargets to the pooled callable.
std::map<size_t, std::map<std::string, std::string>>
usesFromOtherModules(const Run &run, const std::map<size_t, std::set<std::string>> &removed,
                     const std::set<std::pair<size_t, uint32_t>> &rewritten = {});

/// Whether a text may hold `import *`: `import`, then blanks or line continuations, then `*`.
bool mayStarImport(std::string_view text);

/// Star imports and pool imports: a name bound at module level in a module without __all__ is
/// bound by `from <it> import *` in every module that star-imports it, and on through the modules
/// among those that have no __all__ and are star-imported in turn. For each of `exporters` (files
/// that may add a module-level import of one of `names`) that has no __all__, the names of `names`
/// that some module reached so binds or reads already, as it binds or reads them anywhere (an
/// import added would rebind its name there, or give one it read a value): file -> name -> where
/// ("pkg/b.py:1:23 through the `import *` at pkg/b.py:2:1"), the first such module found, nearest
/// first. Every file of the run whose text may star-import (FileOutcome::mayStar) is read again and
/// parsed, and each exporter one of them imports.
std::map<size_t, std::map<std::string, std::string>>
starImportClashes(const Run &run, const std::set<size_t> &exporters, const std::set<std::string> &names);

} // namespace poolify::pipeline

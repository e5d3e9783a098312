// Where files come from: the paths given on the command line, walked in sorted order.
// Inside a git work tree the walk honours .gitignore (through `git ls-files`); always skipped:
// .git, virtualenvs, site-packages, node_modules, __pycache__, build folders, caches.
#pragma once

#include "model/source_file.h"

#include <string>
#include <vector>

namespace poolify::source {

struct Discovery {
  std::vector<model::SourceFile> files; // sorted by display path, each file once
  std::vector<std::string> problems; // "path: what happened; what poolify did" (the run fails)
  std::vector<std::string> notes;    // skipped on purpose (links out of the tree); said, not failed
};

Discovery discover(const std::vector<std::string> &roots);

/// True when `module` (a.b.c) exists as a/b/c.py or a/b/c/__init__.py in the folder holding
/// `file` or in one of its ancestors: how a rewritten file will most likely import it.
bool moduleFileAbove(const std::string &file, const std::string &module);

/// True for folder names that are never walked.
bool isSkippedDir(const std::string &name);

} // namespace poolify::source

// Planning one file: decide every site (rewrite, or leave with a reason), turn decisions into
// edits, and say why. Pure: reads the tree, writes nothing.
#pragma once

#include "analysis/sites.h"
#include "model/classes.h"
#include "rewrite/edits.h"
#include "support/text.h"

#include <map>
#include <string>
#include <vector>

namespace poolify::rewrite {

struct Note {
  size_t offset;       // where in the file (start of the callee)
  std::string rule;    // rule id
  std::string message; // "project_id from PROJECT_ID", "left: no project id in scope"
};

struct FilePlan {
  EditSet edits;
  std::vector<Note> notes;
  unsigned rewritten = 0;
  unsigned left = 0;
  unsigned removed = 0;
  std::vector<model::Verdict> decisions; // one per site, in the order of the sites
  std::vector<std::string> poolModules; // modules the rewritten sites now import from (sorted, unique)
};

/// `path` is the file's path with '/' separators (used to recognise the pool's own module).
/// `removals` maps a site's callee offset to the redundant override it stands in.
FilePlan planFile(const py::Tree &tree, const py::ScopeModel &model, const std::vector<analysis::Site> &sites,
                  const std::string &path, const LineIndex &lines,
                  const std::map<uint32_t, model::Removal> &removals = {});

/// True when the file at `path` is the module `module` (a/b/c.py or a/b/c/__init__.py).
bool isModuleFile(const std::string &path, const std::string &module);

} // namespace poolify::rewrite

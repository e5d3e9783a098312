// `poolify pools init`: writing the pool modules a migration is waiting for. A rule may ship a
// reference implementation of its pool module (`template:`); it is written where the module must
// resolve and does not — the tree's import root, and each deployment unit whose sites were left
// for want of it (a vendored copy, as a unit deployed alone needs) — with the `__init__.py` of every
// package folder it creates. Nothing that exists is overwritten.
#pragma once

#include "pipeline/engine.h"

#include <llvm/Support/Error.h>

#include <string>
#include <vector>

namespace poolify::pipeline {

struct PoolWrite {
  std::string rule, module;
  std::string root;               // the import root it is written for (absolute)
  std::string where;              // how users see that root: "." or "functions/export (deployment unit)"
  std::string templatePath;       // the rule's template
  std::vector<std::string> files; // to create, in order: package __init__.py files, then the module
                                  // (as planned; writePool() works them out again)
};

/// What to write for an analyzed run: for each of its rules with a template whose pool module some
/// site was left for, the module at the tree's root (when it does not resolve there) and in each unit
/// holding such a site. With `into`, the module of every selected rule in that folder instead.
llvm::Expected<std::vector<PoolWrite>> planPools(const Run &run, const std::string &into);

/// Creates the files of `w` (never over an existing file); returns the files written.
llvm::Expected<std::vector<std::string>> writePool(const PoolWrite &w);

} // namespace poolify::pipeline

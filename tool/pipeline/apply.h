// Writing a run's results: a changed file's new text (atomically, only if the file still holds
// the bytes that were analyzed), and batches as git commits.
#pragma once

#include "model/outcome.h"

#include <llvm/Support/Error.h>

#include <string>
#include <vector>

namespace poolify::pipeline {

/// Writes the outcome's new text over its file. The error says why it was not written.
llvm::Error applyOutcome(const model::FileOutcome &o);

/// What --commit needs: a git work tree, with no uncommitted changes unless `allowDirty`.
llvm::Error checkCanCommit(bool allowDirty);

/// Stages `paths` and commits them with `title` and `body`; the error carries git's message.
llvm::Error commitFiles(const std::vector<std::string> &paths, const std::string &title, const std::string &body);

} // namespace poolify::pipeline

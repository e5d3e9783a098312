#include "pipeline/apply.h"

#include "pipeline/reader.h"
#include "source/file_io.h"
#include "source/git.h"

namespace poolify::pipeline {

llvm::Error applyOutcome(const model::FileOutcome &o) {
  auto read = texts(o);
  if (!read)
    return llvm::createStringError(std::errc::io_error, "%s; file not rewritten",
                                   llvm::toString(read.takeError()).c_str());
  return source::writeAtomically(o.file->path, read->updated, read->original);
}

llvm::Error checkCanCommit(bool allowDirty) {
  auto inside = source::runGit({"rev-parse", "--is-inside-work-tree"});
  if (inside.code != 0 || inside.output.rfind("true", 0) != 0)
    return llvm::createStringError(std::errc::invalid_argument, "--commit needs a git work tree");
  auto status = source::runGit({"status", "--porcelain", "--untracked-files=no"});
  if (!allowDirty && (status.code != 0 || !status.output.empty()))
    return llvm::createStringError(std::errc::invalid_argument,
                                   "the work tree has uncommitted changes; commit or stash them first, or pass "
                                   "--allow-dirty (the batch commits then include only poolify's files)");
  return llvm::Error::success();
}

llvm::Error commitFiles(const std::vector<std::string> &paths, const std::string &title, const std::string &body) {
  std::vector<std::string> add{"add", "--"};
  add.insert(add.end(), paths.begin(), paths.end());
  auto added = source::runGit(add);
  auto committed = added.code == 0 ? source::runGit({"commit", "-q", "-m", title, "-m", body}) : added;
  if (committed.code != 0)
    return llvm::createStringError(std::errc::io_error, "%s", committed.error.c_str());
  return llvm::Error::success();
}

} // namespace poolify::pipeline

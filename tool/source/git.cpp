#include "source/git.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Program.h>

namespace poolify::source {

GitResult runGit(const std::vector<std::string> &args, const std::string &dir) {
  GitResult r;
  auto git = llvm::sys::findProgramByName("git");
  if (!git) {
    r.error = "git was not found on PATH";
    return r;
  }
  llvm::SmallString<128> out, err;
  if (llvm::sys::fs::createTemporaryFile("poolify-git", "out", out) ||
      llvm::sys::fs::createTemporaryFile("poolify-git", "err", err)) {
    r.error = "cannot create a temporary file";
    return r;
  }
  std::vector<llvm::StringRef> argv{*git, "-C", dir};
  for (const auto &a : args)
    argv.push_back(a);
  llvm::Optional<llvm::StringRef> redirects[] = {llvm::StringRef(""), llvm::StringRef(out), llvm::StringRef(err)};
  std::string message;
  r.code = llvm::sys::ExecuteAndWait(*git, argv, llvm::None, redirects, 0, 0, &message);
  if (auto b = llvm::MemoryBuffer::getFile(out))
    r.output = (*b)->getBuffer().str();
  if (auto b = llvm::MemoryBuffer::getFile(err))
    r.error = (*b)->getBuffer().str();
  if (r.error.empty())
    r.error = message;
  llvm::sys::fs::remove(out);
  llvm::sys::fs::remove(err);
  return r;
}

} // namespace poolify::source

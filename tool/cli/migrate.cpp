// poolify migrate [PATH...] [--apply] [--explain]
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/run.h"
#include "output/diff.h"
#include "pipeline/process.h"
#include "source/discover.h"
#include "source/file_io.h"

#include <llvm/Support/CommandLine.h>
#include <llvm/Support/ThreadPool.h>
#include <llvm/Support/Threading.h>
#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

#include <map>

namespace poolify::cli {

namespace cl = llvm::cl;


int runMigrate() {
  auto prepared = prepareRun(std::vector<std::string>(Paths.begin(), Paths.end()));
  if (!prepared)
    return 2;
  Run &run = *prepared;
  bool failed = false;
  for (const auto &p : run.found.problems) {
    llvm::errs() << p << "\n";
    failed = true;
  }
  analyze(run);
  const auto &found = run.found;
  auto &outcomes = run.outcomes;
  unsigned changed = 0, rewritten = 0, left = 0, removed = 0, errors = 0;
  for (auto &o : outcomes) {
    for (const auto &m : o.messages)
      if (m.error || Explain)
        llvm::errs() << m.text << "\n";
    rewritten += o.rewritten;
    removed += o.removed;
    left += o.left;
    if (o.failed) {
      ++errors;
      continue;
    }
    if (!o.changed())
      continue;
    if (!Apply) {
      llvm::outs() << output::unifiedDiff(o.original, o.updated, o.file.display);
      ++changed;
      continue;
    }
    if (auto err = source::writeAtomically(o.file.path, o.updated, o.original)) {
      llvm::errs() << o.file.display << ": error: " << llvm::toString(std::move(err)) << "\n";
      ++errors;
      continue;
    }
    ++changed;
  }
  llvm::outs().flush();
  warnMissingPools(outcomes);
  llvm::errs() << fmt::format("poolify: scanned {} files, {} {}, rewrote {} sites, removed {} overrides, left {} "
                              "sites{}\n",
                              found.files.size(), Apply ? "changed" : "would change", changed, rewritten, removed, left,
                              errors ? fmt::format(", {} files with errors", errors) : std::string());
  return failed || errors ? 1 : 0;
}

} // namespace poolify::cli

// poolify migrate [PATH...] [--apply] [--explain]
#include "cli/commands.h"
#include "cli/options.h"
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


namespace {

std::vector<pipeline::FileOutcome> processAll(const std::vector<source::SourceFile> &files,
                                              const std::vector<rules::Rule> &rules) {
  std::vector<pipeline::FileOutcome> outcomes(files.size());
  llvm::ThreadPoolStrategy strategy = llvm::hardware_concurrency(Jobs);
  if (Jobs == 1 || files.size() < 2) {
    for (size_t i = 0; i < files.size(); ++i)
      outcomes[i] = pipeline::processFile(files[i], rules);
    return outcomes;
  }
  llvm::ThreadPool pool(strategy);
  for (size_t i = 0; i < files.size(); ++i)
    pool.async([&, i] { outcomes[i] = pipeline::processFile(files[i], rules); });
  pool.wait();
  return outcomes;
}

// A rewrite that imports a module the codebase does not have would fail at import time:
// say so once per module (the pool may still come from an installed package).
void warnMissingPools(const std::vector<pipeline::FileOutcome> &outcomes) {
  std::map<std::string, std::vector<std::string>> missing;
  for (const auto &o : outcomes)
    if (o.changed())
      for (const auto &m : o.poolModules)
        if (!source::moduleFileAbove(o.file.path, m))
          missing[m].push_back(o.file.display);
  for (const auto &[module, files] : missing)
    llvm::errs() << fmt::format("poolify: warning: {} rewritten file(s) import {}, which is not found beside or above "
                                "them (first: {}); make sure it is importable where they run\n",
                                files.size(), module, files.front());
}

} // namespace

int runMigrate() {
  auto rules = selectedRules();
  if (!rules)
    return 2;
  std::vector<std::string> roots(Paths.begin(), Paths.end());
  if (roots.empty())
    roots.push_back(".");
  source::Discovery found = source::discover(roots);
  bool failed = false;
  for (const auto &p : found.problems) {
    llvm::errs() << p << "\n";
    failed = true;
  }

  auto outcomes = processAll(found.files, *rules);
  unsigned changed = 0, rewritten = 0, left = 0, errors = 0;
  for (auto &o : outcomes) {
    std::stable_sort(o.messages.begin(), o.messages.end(), [](const auto &a, const auto &b) {
      return std::tie(a.line, a.col) < std::tie(b.line, b.col);
    });
    for (const auto &m : o.messages)
      if (m.error || Explain)
        llvm::errs() << m.text << "\n";
    rewritten += o.rewritten;
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
  llvm::errs() << fmt::format("poolify: scanned {} files, {} {}, rewrote {} sites, left {} sites{}\n",
                              found.files.size(), Apply ? "changed" : "would change", changed, rewritten, left,
                              errors ? fmt::format(", {} files with errors", errors) : std::string());
  return failed || errors ? 1 : 0;
}

} // namespace poolify::cli

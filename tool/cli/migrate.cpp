// poolify migrate [PATH...] [--apply] [--explain]
#include "cli/commands.h"
#include "cli/options.h"
#include "index/hierarchy.h"
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

// Runs work(i) for each index, on --jobs threads; each index writes only its own slot.
template <typename F> void parallelFor(const std::vector<size_t> &indices, F work) {
  if (Jobs == 1 || indices.size() < 2) {
    for (size_t i : indices)
      work(i);
    return;
  }
  llvm::ThreadPool pool(llvm::hardware_concurrency(Jobs));
  for (size_t i : indices)
    pool.async([&work, i] { work(i); });
  pool.wait();
}

std::vector<pipeline::FileOutcome> processAll(const std::vector<source::SourceFile> &files,
                                              const std::vector<rules::Rule> &rules) {
  std::vector<pipeline::FileOutcome> outcomes(files.size());
  std::vector<size_t> all(files.size());
  for (size_t i = 0; i < all.size(); ++i)
    all[i] = i;
  parallelFor(all, [&](size_t i) { outcomes[i] = pipeline::processFile(files[i], rules); });
  return outcomes;
}

// The reduce step: the class index across all files decides which client overrides are
// redundant; the files holding them are planned again with those removals. Bases in files the
// prefilter skipped are parsed on demand.
void applyHierarchy(const std::vector<source::SourceFile> &files, const std::vector<rules::Rule> &rules,
                    std::vector<pipeline::FileOutcome> &outcomes) {
  std::vector<std::string> displays;
  std::vector<size_t> candidates;
  for (size_t i = 0; i < files.size(); ++i) {
    displays.push_back(files[i].display);
    const auto &facts = outcomes[i].facts;
    bool hasOverride = facts && std::any_of(facts->classes.begin(), facts->classes.end(), [](const auto &c) {
      return std::any_of(c.assignments.begin(), c.assignments.end(), [](const auto &a) {
        return a.source == analysis::AttributeAssignment::Source::Site;
      });
    });
    if (hasOverride && !outcomes[i].failed)
      candidates.push_back(i);
  }
  if (candidates.empty())
    return;
  std::vector<std::optional<analysis::FileFacts>> loaded(files.size());
  std::vector<bool> tried(files.size(), false);
  auto load = [&](size_t i) -> const analysis::FileFacts * {
    if (outcomes[i].facts)
      return &*outcomes[i].facts;
    if (!tried[i]) {
      tried[i] = true;
      loaded[i] = pipeline::classFactsOf(files[i], rules);
    }
    return loaded[i] ? &*loaded[i] : nullptr;
  };
  index::ClassIndex classes(displays, load);
  auto decisions = classes.decideOverrides(candidates);
  for (const auto &p : classes.problems())
    llvm::errs() << "poolify: warning: " << p << "\n";
  std::map<size_t, std::map<uint32_t, rewrite::Removal>> removals;
  std::vector<index::OverrideDecision> kept;
  for (const auto &d : decisions) {
    if (d.remove)
      removals[d.file][d.siteOffset] = d.removal;
    else
      kept.push_back(d);
  }
  std::vector<size_t> replan;
  for (const auto &[file, _] : removals)
    replan.push_back(file);
  // Outcomes are replaced in place; the maps read by the workers are not modified meanwhile.
  parallelFor(replan, [&](size_t i) {
    outcomes[i] = pipeline::processText(files[i], outcomes[i].original, rules, removals.at(i));
  });
  for (const auto &d : kept)
    outcomes[d.file].messages.push_back(
        {d.line, d.col, fmt::format("{}:{}:{}: {}: {}", files[d.file].display, d.line, d.col, d.rule, d.note), false});
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
  applyHierarchy(found.files, *rules, outcomes);
  unsigned changed = 0, rewritten = 0, left = 0, removed = 0, errors = 0;
  for (auto &o : outcomes) {
    std::stable_sort(o.messages.begin(), o.messages.end(), [](const auto &a, const auto &b) {
      return std::tie(a.line, a.col) < std::tie(b.line, b.col);
    });
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

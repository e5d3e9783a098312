// poolify migrate [PATH...] [--apply] [--explain] [--batch NAME | --category NAME] [--max-files N]
//                 [--out DIR] [--commit [--allow-dirty]] [--manifest FILE]
#include "cli/batches.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/run.h"
#include "output/diff.h"
#include "output/manifest.h"
#include "source/file_io.h"
#include "source/git.h"
#include "source/output_file.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Process.h>
#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

#include <fstream>

namespace poolify::cli {

namespace {

bool writeText(const std::string &path, const std::string &text) {
  if (auto err = source::writeOutputFile(path, text)) { // whole or not at all
    llvm::errs() << path << ": error: " << llvm::toString(std::move(err)) << "\n";
    return false;
  }
  return true;
}

std::string batchManifest(const Run &run, const BatchPlan &b) {
  std::vector<pipeline::FileOutcome> outcomes;
  std::vector<std::string> categories;
  std::vector<std::vector<index::ClassIndex::Inherited>> inherited;
  for (size_t i : b.files) {
    outcomes.push_back(run.outcomes[i]);
    categories.push_back(run.categoryOf(run.found.files[i]));
    inherited.push_back(i < run.inherited.size() ? run.inherited[i] : std::vector<index::ClassIndex::Inherited>{});
  }
  return output::renderJson(output::buildManifest(outcomes, categories, inherited));
}

// Writes one file's new text; false (with the reason on stderr) when it could not be written.
bool applyFile(const pipeline::FileOutcome &o) {
  auto texts = pipeline::texts(o);
  if (!texts) {
    llvm::errs() << o.file.display << ": error: " << llvm::toString(texts.takeError()) << "; file not rewritten\n";
    return false;
  }
  if (auto err = source::writeAtomically(o.file.path, texts->updated, texts->original)) {
    llvm::errs() << o.file.display << ": error: " << llvm::toString(std::move(err)) << "\n";
    return false;
  }
  return true;
}

bool colours() { return llvm::outs().has_colors() && !llvm::sys::Process::GetEnv("NO_COLOR"); }

} // namespace

int runMigrate() {
  auto prepared = prepareRun(std::vector<std::string>(Paths.begin(), Paths.end()));
  if (!prepared)
    return 2;
  Run &run = *prepared;
  if (Commit) {
    auto inside = source::runGit({"rev-parse", "--is-inside-work-tree"});
    if (inside.code != 0 || inside.output.rfind("true", 0) != 0) {
      llvm::errs() << "poolify migrate: --commit needs a git work tree\n";
      return 2;
    }
    auto status = source::runGit({"status", "--porcelain", "--untracked-files=no"});
    if (!AllowDirty && (status.code != 0 || !status.output.empty())) {
      llvm::errs() << "poolify migrate: the work tree has uncommitted changes; commit or stash them first, or pass "
                      "--allow-dirty (the batch commits then include only poolify's files)\n";
      return 2;
    }
  }
  if (Apply || Commit) // poolify's own temp files left by an interrupted run, older than this one
    for (const auto &line : source::removeStaleTemps(run.found))
      llvm::errs() << line << "\n";
  bool failed = false;
  for (const auto &p : run.found.problems) {
    llvm::errs() << p << "\n";
    failed = true;
  }
  analyze(run, /*withInherited=*/!OutDir.empty() || !ManifestOut.empty());

  bool batching = !BatchName.empty() || !CategoryName.empty() || MaxFiles || !OutDir.empty() || Commit;
  std::vector<BatchPlan> batches;
  std::vector<bool> selected(run.outcomes.size(), !batching);
  if (batching) {
    std::string error;
    bool all = BatchName.empty() && CategoryName.empty();
    batches = planBatches(run, BatchName, CategoryName, MaxFiles, all, error);
    if (!error.empty()) {
      llvm::errs() << "poolify migrate: " << error << "\n";
      return 2;
    }
    for (const auto &b : batches)
      for (size_t i : b.files)
        selected[i] = true;
  }

  unsigned changed = 0, rewritten = 0, left = 0, removed = 0, errors = 0, written = 0;
  if (Apply || Commit)
    source::deferInterrupts();
  auto stopIfInterrupted = [&]() {
    if (!source::interrupted())
      return false;
    llvm::errs() << fmt::format("poolify: interrupted after writing {} files; every file is either fully "
                                "rewritten or untouched\n",
                                written);
    return true;
  };
  bool printDiffs = !Apply && !Commit && OutDir.empty();
  bool colour = printDiffs && colours();
  for (size_t i = 0; i < run.outcomes.size(); ++i) {
    const auto &o = run.outcomes[i];
    for (const auto &m : o.messages)
      if (m.error || (Explain && selected[i]))
        llvm::errs() << m.text << "\n";
    if (o.failed) {
      ++errors;
      continue;
    }
    if (!selected[i])
      continue;
    rewritten += o.rewritten;
    removed += o.removed;
    // Sites a person must look at: direct constructions migrate does not fix (the pool modules'
    // own constructors and mock-target strings are reported by --explain but not counted here).
    for (const auto &r : o.records)
      if ((r.kind == pipeline::SiteRecord::Kind::Direct || r.kind == pipeline::SiteRecord::Kind::Reference) &&
          !r.fixable())
        ++left;
    if (!o.changed())
      continue;
    ++changed;
    if (printDiffs) {
      auto texts = pipeline::texts(o);
      if (!texts) {
        llvm::errs() << o.file.display << ": error: " << llvm::toString(texts.takeError()) << "\n";
        ++errors;
        --changed;
        continue;
      }
      std::string d = output::unifiedDiff(texts->original, texts->updated, o.file.display);
      llvm::outs() << (colour ? output::colorizeDiff(d) : d);
    } else if (Apply && !Commit) {
      if (stopIfInterrupted())
        return 130;
      if (!applyFile(o)) {
        ++errors;
        --changed;
      } else {
        ++written;
      }
    }
  }
  llvm::outs().flush();

  if (!OutDir.empty()) {
    if (auto ec = llvm::sys::fs::create_directories(OutDir)) {
      llvm::errs() << OutDir << ": error: cannot create the folder: " << ec.message() << "\n";
      return 2;
    }
    for (const auto &b : batches) {
      llvm::SmallString<256> base(OutDir);
      llvm::sys::path::append(base, b.name);
      std::string summary = fmt::format("# poolify batch {}\n\n{}", b.name, batchSummary(run, b));
      if (!writeText(std::string(base) + ".patch", batchPatch(run, b)) ||
          !writeText(std::string(base) + ".manifest.json", batchManifest(run, b)) ||
          !writeText(std::string(base) + ".md", summary)) {
        llvm::errs() << base << ": error: cannot write the batch files\n";
        return 2;
      }
    }
    llvm::errs() << fmt::format("poolify: wrote {} batches to {}\n", batches.size(), std::string(OutDir));
  }
  if (Commit) {
    for (const auto &b : batches) {
      std::vector<std::string> add{"add", "--"};
      for (size_t i : b.files) {
        const auto &o = run.outcomes[i];
        if (!o.changed())
          continue;
        if (stopIfInterrupted())
          return 130;
        if (!applyFile(o)) {
          llvm::errs() << "poolify migrate: stopped before committing batch " << b.name << "\n";
          return 1;
        }
        ++written;
        add.push_back(o.file.path);
      }
      if (add.size() == 2)
        continue;
      std::string title = fmt::format("poolify: migrate batch {} to the shared pools", b.name);
      auto added = source::runGit(add);
      auto committed = added.code == 0 ? source::runGit({"commit", "-q", "-m", title, "-m", batchSummary(run, b)})
                                       : added;
      if (committed.code != 0) {
        llvm::errs() << "poolify migrate: git failed for batch " << b.name << ": " << committed.error << "\n";
        return 1;
      }
      llvm::errs() << "poolify: committed " << title << "\n";
    }
  }
  if (!ManifestOut.empty()) {
    // The tree as it was read, like `poolify manifest` (one run instead of two).
    llvm::StringRef file(ManifestOut);
    std::string format = file.endswith(".md") ? "markdown" : file.endswith(".csv") ? "csv" : "json";
    if (writeManifest(format, output::buildManifest(run.outcomes, categoriesOf(run), run.inherited), ManifestOut,
                      false) == 2)
      return 2;
  }
  warnMissingPools(run.outcomes);
  llvm::errs() << fmt::format("poolify: scanned {} files, {} {}, rewrote {} sites, removed {} overrides, left {} "
                              "sites{}\n",
                              run.found.files.size(), Apply || Commit ? "changed" : "would change", changed, rewritten,
                              removed, left, errors ? fmt::format(", {} files with errors", errors) : std::string());
  return failed || errors ? 1 : 0;
}

} // namespace poolify::cli

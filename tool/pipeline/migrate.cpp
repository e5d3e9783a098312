#include "pipeline/migrate.h"

#include "pipeline/apply.h"
#include "pipeline/mocks.h"
#include "source/file_io.h"
#include "support/text.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

#include <fmt/format.h>

namespace poolify::pipeline {

namespace {

bool stopIfInterrupted(const model::MigrateTally &t, const Say &say) {
  if (!source::interrupted())
    return false;
  say(fmt::format("poolify: interrupted after writing {}; every file is either fully "
                  "rewritten or untouched\n",
                  counted(t.written, "file")));
  return true;
}

// Writes one changed file; false (with the reason said) when it could not be written.
bool apply(const model::FileOutcome &o, const Say &say) {
  if (auto err = applyOutcome(o)) {
    say(o.file->display() + ": error: " + llvm::toString(std::move(err)) + "\n");
    return false;
  }
  return true;
}

// A changed selected file: its diff printed (a dry run) or the file written (--apply without
// --commit). One that fails counts as an error, not a change. False when interrupted before writing.
bool emitChange(const model::FileOutcome &o, const MigrateOptions &options, const MigrateSink &sink,
                model::MigrateTally &t) {
  if (options.printDiffs) {
    if (auto err = sink.diff(o)) {
      sink.say(o.file->display() + ": error: " + llvm::toString(std::move(err)) + "\n");
      ++t.errors, --t.changed;
    }
  } else if (options.write) {
    if (stopIfInterrupted(t, sink.say))
      return false;
    if (apply(o, sink.say))
      ++t.written;
    else
      ++t.errors, --t.changed;
  }
  return true;
}

// The changed files of one batch written; the paths written, or nullopt (130 or 1 in `code`) when
// interrupted or a file failed.
std::optional<std::vector<std::string>> writeBatch(const Run &run, const BatchPlan &b, const Say &say,
                                                   model::MigrateTally &t, int &code) {
  std::vector<std::string> paths;
  for (size_t i : b.files) {
    const auto &o = run.outcomes[i];
    if (!o.changed())
      continue;
    if (stopIfInterrupted(t, say)) {
      code = 130;
      return std::nullopt;
    }
    if (!apply(o, say)) {
      say("poolify migrate: stopped before committing batch " + b.name + "\n");
      code = 1;
      return std::nullopt;
    }
    ++t.written;
    paths.push_back(o.file->path);
  }
  return paths;
}

} // namespace

bool migrateFiles(const Run &run, const std::vector<bool> &selected, const MigrateOptions &options,
                  const MigrateSink &sink, model::MigrateTally &t) {
  for (size_t i = 0; i < run.outcomes.size(); ++i) {
    const auto &o = run.outcomes[i];
    sink.file(o, selected[i]);
    if (o.failed) {
      ++t.errors;
      continue;
    }
    if (!selected[i])
      continue;
    t.addSites(o);
    if (!o.changed())
      continue;
    ++t.changed;
    if (!emitChange(o, options, sink, t))
      return false;
  }
  return true;
}

model::Manifest batchManifest(const Run &run, const std::vector<size_t> &files) {
  auto recordsOf = [&](size_t i) -> const std::vector<model::SiteRecord> & { return run.outcomes[i].records; };
  std::vector<model::MockTarget> mocks = findMockTargets(run.outcomes, files, recordsOf);
  std::vector<model::FileOutcome> outcomes;
  std::vector<std::string> categories;
  std::vector<std::vector<model::Inherited>> inherited;
  for (size_t i : files) {
    outcomes.push_back(run.outcomes[i]);
    categories.push_back(run.categoryOf(run.found.files[i]));
    inherited.push_back(i < run.inherited.size() ? run.inherited[i] : std::vector<model::Inherited>{});
  }
  return model::buildManifest(outcomes, categories, inherited, std::move(mocks));
}

bool writeBatchFiles(const Run &run, const std::vector<BatchPlan> &batches, const std::string &outDir,
                     const WriteBatch &write, const Say &say) {
  if (auto ec = llvm::sys::fs::create_directories(outDir)) {
    say(outDir + ": error: cannot create the folder: " + ec.message() + "\n");
    return false;
  }
  for (const auto &b : batches) {
    llvm::SmallString<256> base(outDir);
    llvm::sys::path::append(base, b.name);
    if (!write(b, std::string(base), batchManifest(run, b.files))) {
      say(std::string(base) + ": error: cannot write the batch files\n");
      return false;
    }
  }
  say(fmt::format("poolify: wrote {} to {}\n", counted(batches.size(), "batch", "batches"), outDir));
  return true;
}

int commitBatches(const Run &run, const std::vector<BatchPlan> &batches,
                  const std::function<std::string(const BatchPlan &)> &body, const Say &say, model::MigrateTally &t) {
  for (const auto &b : batches) {
    int code = 0;
    auto paths = writeBatch(run, b, say, t, code);
    if (!paths)
      return code;
    if (paths->empty())
      continue;
    std::string title = fmt::format("poolify: migrate batch {} to the shared pools", b.name);
    if (auto err = commitFiles(*paths, title, body(b))) {
      say("poolify migrate: git failed for batch " + b.name + ": " + llvm::toString(std::move(err)) + "\n");
      return 1;
    }
    say("poolify: committed " + title + "\n");
  }
  return 0;
}

} // namespace poolify::pipeline

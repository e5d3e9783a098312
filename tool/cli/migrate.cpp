// poolify migrate [PATH...] [--apply] [--explain] [--batch NAME | --category NAME] [--max-files N]
//                 [--out DIR] [--commit [--allow-dirty]] [--manifest FILE] [-o FILE]
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/print.h"
#include "cli/run.h"
#include "pipeline/apply.h"
#include "pipeline/batches.h"
#include "pipeline/mocks.h"
#include "source/discover.h"
#include "source/file_io.h"
#include "source/output_file.h"
#include "support/text.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

namespace poolify::cli {

namespace {

struct Tally {
  unsigned changed = 0, rewritten = 0, left = 0, removed = 0, errors = 0, written = 0, unsafe = 0;
  unsigned patches = 0, patchesLeft = 0; // test patches retargeted; those needing a hand fix
};

bool stopIfInterrupted(const Tally &t) {
  if (!source::interrupted())
    return false;
  llvm::errs() << fmt::format("poolify: interrupted after writing {}; every file is either fully "
                              "rewritten or untouched\n",
                              counted(t.written, "file"));
  return true;
}

// Writes one changed file; false (with the reason on stderr) when it could not be written.
bool apply(const model::FileOutcome &o) {
  if (auto err = pipeline::applyOutcome(o)) {
    llvm::errs() << o.file.display << ": error: " << llvm::toString(std::move(err)) << "\n";
    return false;
  }
  return true;
}

// Batch files in --out: NN-name.patch, NN-name.manifest.json, NN-name.md.
bool writeBatchFiles(pipeline::Run &run, const std::vector<pipeline::BatchPlan> &batches) {
  if (auto ec = llvm::sys::fs::create_directories(OutDir)) {
    llvm::errs() << OutDir << ": error: cannot create the folder: " << ec.message() << "\n";
    return false;
  }
  for (const auto &b : batches) {
    llvm::SmallString<256> base(OutDir);
    llvm::sys::path::append(base, b.name);
    auto recordsOf = [&](size_t i) -> const std::vector<model::SiteRecord> & { return run.outcomes[i].records; };
    model::Manifest manifest = batchManifest(run, b.files, pipeline::findMockTargets(run.outcomes, b.files, recordsOf));
    output::Document doc = documentOf(run);
    doc.manifest = &manifest;
    doc.title = b.name;
    bool ok = writeDocument(run, output::Format::Diff, doc, std::string(base) + ".patch", "patch", b.files) &&
              writeDocument(run, output::Format::ManifestJson, doc, std::string(base) + ".manifest.json", "manifest",
                            b.files) &&
              writeDocument(run, output::Format::BatchMarkdown, doc, std::string(base) + ".md", "summary", b.files);
    if (!ok) {
      llvm::errs() << base << ": error: cannot write the batch files\n";
      return false;
    }
  }
  llvm::errs() << fmt::format("poolify: wrote {} to {}\n", counted(batches.size(), "batch", "batches"),
                              std::string(OutDir));
  return true;
}

// --commit: batch after batch, its files written and committed.
int commitBatches(pipeline::Run &run, const std::vector<pipeline::BatchPlan> &batches, Tally &t) {
  for (const auto &b : batches) {
    std::vector<std::string> paths;
    for (size_t i : b.files) {
      const auto &o = run.outcomes[i];
      if (!o.changed())
        continue;
      if (stopIfInterrupted(t))
        return 130;
      if (!apply(o)) {
        llvm::errs() << "poolify migrate: stopped before committing batch " << b.name << "\n";
        return 1;
      }
      ++t.written;
      paths.push_back(o.file.path);
    }
    if (paths.empty())
      continue;
    std::string title = fmt::format("poolify: migrate batch {} to the shared pools", b.name);
    std::string body = documentText(run, output::Format::BatchMarkdown, documentOf(run), b.files);
    if (auto err = pipeline::commitFiles(paths, title, body)) {
      llvm::errs() << "poolify migrate: git failed for batch " << b.name << ": " << llvm::toString(std::move(err))
                   << "\n";
      return 1;
    }
    llvm::errs() << "poolify: committed " << title << "\n";
  }
  return 0;
}

} // namespace

int runMigrate() {
  if (!OutputFile.empty() && (Apply || Commit || !OutDir.empty())) {
    llvm::errs() << "poolify migrate: -o/--output names the file for the diff of a dry run; with --apply, --commit "
                    "or --out there is none\n";
    return 2;
  }
  auto prepared =
      prepareRun(runOptions(/*cacheByDefault=*/false, /*withInherited=*/!OutDir.empty() || !ManifestOut.empty()));
  if (!prepared)
    return 2;
  pipeline::Run &run = *prepared;
  if (!CategoryName.empty())
    if (auto why = pipeline::unknownCategory(run.config, CategoryName)) { // before the analysis, not after
      llvm::errs() << "poolify migrate: " << *why << "\n";
      return 2;
    }
  if (Commit)
    if (auto err = pipeline::checkCanCommit(AllowDirty)) {
      llvm::errs() << "poolify migrate: " << llvm::toString(std::move(err)) << "\n";
      return 2;
    }
  if (Apply || Commit) // poolify's own temp files left by an interrupted run, older than this one
    for (const auto &line : source::removeStaleTemps(run.found))
      llvm::errs() << line << "\n";
  bool failed = !run.found.problems.empty();
  for (const auto &p : run.found.problems)
    llvm::errs() << p << "\n";
  analyzeRun(run);

  bool batching = !BatchName.empty() || !CategoryName.empty() || MaxFiles || !OutDir.empty() || Commit;
  std::vector<pipeline::BatchPlan> batches;
  std::vector<bool> selected(run.outcomes.size(), !batching);
  if (batching) {
    auto planned = pipeline::planBatches(
        run, {BatchName, CategoryName, MaxFiles, /*all=*/BatchName.empty() && CategoryName.empty()});
    if (!planned) {
      llvm::errs() << "poolify migrate: " << llvm::toString(planned.takeError()) << "\n";
      return 2;
    }
    batches = std::move(*planned);
    for (const auto &b : batches)
      for (size_t i : b.files)
        selected[i] = true;
  }

  Tally t;
  if (Apply || Commit)
    source::deferInterrupts();
  bool printDiffs = !Apply && !Commit && OutDir.empty();
  std::unique_ptr<source::OutputFile> diffFile; // -o: the diff goes there, whole or not at all
  if (!OutputFile.empty()) {
    auto opened = source::OutputFile::open(OutputFile);
    if (!opened) {
      llvm::errs() << OutputFile << ": error: cannot write the diff: " << llvm::toString(opened.takeError()) << "\n";
      return 2;
    }
    diffFile = std::move(*opened);
  }
  output::Document doc = documentOf(run);
  output::PrinterOptions explain, colour;
  explain.explain = true;
  colour.colour = printDiffs && !diffFile && coloursOnStdout();
  auto errorsOut = output::makePrinter(output::Format::Explain, llvm::errs());
  auto explainOut = output::makePrinter(output::Format::Explain, llvm::errs(), explain);
  auto diffOut = output::makePrinter(output::Format::Diff, diffFile ? diffFile->os() : llvm::outs(), colour);
  for (size_t i = 0; i < run.outcomes.size(); ++i) {
    const auto &o = run.outcomes[i];
    llvm::consumeError((Explain && selected[i] ? explainOut : errorsOut)->file(doc, o));
    if (o.failed) {
      ++t.errors;
      continue;
    }
    if (!selected[i])
      continue;
    t.rewritten += o.rewritten;
    t.removed += o.removed;
    for (const auto &r : o.records) {
      t.left += r.needsHandFix();
      t.unsafe += r.unsafeFix();
    }
    for (const auto &p : o.patches) {
      t.patches += !p.after.empty();
      t.patchesLeft += !p.handFix.empty();
    }
    if (!o.changed())
      continue;
    ++t.changed;
    if (printDiffs) {
      if (auto err = diffOut->file(doc, o)) {
        llvm::errs() << o.file.display << ": error: " << llvm::toString(std::move(err)) << "\n";
        ++t.errors, --t.changed;
      }
    } else if (Apply && !Commit) {
      if (stopIfInterrupted(t))
        return 130;
      if (apply(o))
        ++t.written;
      else
        ++t.errors, --t.changed;
    }
  }
  llvm::outs().flush();
  if (diffFile)
    if (auto err = diffFile->commit()) {
      llvm::errs() << OutputFile << ": error: cannot write the diff: " << llvm::toString(std::move(err)) << "\n";
      return 2;
    }

  if (!OutDir.empty() && !writeBatchFiles(run, batches))
    return 2;
  if (Commit)
    if (int code = commitBatches(run, batches, t))
      return code;
  if (!ManifestOut.empty()) {
    // The tree as it was read, like `poolify manifest` (one run instead of two).
    model::Manifest m = manifestOf(run, pipeline::findMockTargets(run));
    if (writeManifest(run, output::manifestFormatFor(std::string(ManifestOut)), m, ManifestOut, false) == 2)
      return 2;
  }
  summarizeMissingPools(run.outcomes);
  std::string patches;
  if (t.patches || t.patchesLeft)
    patches =
        fmt::format(", retargeted {}{}", counted(t.patches, "test patch", "test patches"),
                    t.patchesLeft ? fmt::format(" ({} need{} a hand fix)", t.patchesLeft, t.patchesLeft == 1 ? "s" : "")
                                  : std::string());
  llvm::errs() << fmt::format(
      "poolify: scanned {}, {} {}, rewrote {}, removed {}, left {}{}{}{}\n", counted(run.found.files.size(), "file"),
      Apply || Commit ? "changed" : "would change", t.changed, counted(t.rewritten, "site"),
      counted(t.removed, "override"), counted(t.left, "site"),
      t.unsafe ? fmt::format(" ({} of them fixable with --unsafe-fixes)", t.unsafe) : std::string(), patches,
      t.errors ? fmt::format(", {} with errors", counted(t.errors, "file")) : std::string());
  return failed ? 2 : t.errors ? 1 : 0; // a PATH that is not there is an input error, as in every command
}

} // namespace poolify::cli

// poolify migrate [PATH...] [--apply] [--explain] [--batch NAME | --category NAME] [--max-files N]
//                 [--out DIR] [--commit [--allow-dirty]] [--manifest FILE] [-o FILE]
#include "pipeline/migrate.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/print.h"
#include "cli/run.h"
#include "output/summary.h"
#include "pipeline/apply.h"
#include "pipeline/batches.h"
#include "pipeline/coverage.h"
#include "pipeline/mocks.h"
#include "source/discover.h"
#include "source/file_io.h"
#include "source/output_file.h"

#include <llvm/Support/raw_ostream.h>

#include <optional>

namespace poolify::cli {

namespace {

// Lines the migration says go to stderr as they happen.
void say(const std::string &line) { llvm::errs() << line; }

// --out: each batch's diff, manifest and PR description (NN-name.patch, .manifest.json, .md).
bool writeBatchFiles(const pipeline::Run &run, const std::vector<pipeline::BatchPlan> &batches) {
  auto write = [&](const pipeline::BatchPlan &b, const std::string &base, const model::Manifest &manifest) {
    output::Document doc = documentOf(run);
    doc.manifest = &manifest;
    doc.title = b.name;
    return writeDocument(run, output::Format::Diff, doc, base + ".patch", "patch", b.files) &&
           writeDocument(run, output::Format::ManifestJson, doc, base + ".manifest.json", "manifest", b.files) &&
           writeDocument(run, output::Format::BatchMarkdown, doc, base + ".md", "summary", b.files);
  };
  return pipeline::writeBatchFiles(run, batches, std::string(OutDir), write, say);
}

// --commit: batch after batch, its files written and committed, its PR description the message body.
int commitBatches(const pipeline::Run &run, const std::vector<pipeline::BatchPlan> &batches, model::MigrateTally &t) {
  auto body = [&](const pipeline::BatchPlan &b) {
    return documentText(run, output::Format::BatchMarkdown, documentOf(run), b.files);
  };
  return pipeline::commitBatches(run, batches, body, say, t);
}

// -o names the diff of a dry run; false (the reason on stderr) when combined with a mode that writes none.
bool outputFileFitsMode() {
  if (!OutputFile.empty() && (Apply || Commit || !OutDir.empty())) {
    llvm::errs() << "poolify migrate: -o/--output names the file for the diff of a dry run; with --apply, --commit "
                    "or --out there is none\n";
    return false;
  }
  return true;
}

// The checks made before the analysis, not after: a known --category, a tree --commit can commit
// to. False, with the reason on stderr, when one fails.
bool readyToAnalyze(const pipeline::Run &run) {
  if (!CategoryName.empty())
    if (auto why = pipeline::unknownCategory(run.config, CategoryName)) {
      llvm::errs() << "poolify migrate: " << *why << "\n";
      return false;
    }
  if (Commit)
    if (auto err = pipeline::checkCanCommit(AllowDirty)) {
      llvm::errs() << "poolify migrate: " << llvm::toString(std::move(err)) << "\n";
      return false;
    }
  return true;
}

// Prints the discovery's problems (a PATH that is not there); true when there is one.
bool printDiscoveryProblems(const pipeline::Run &run) {
  for (const auto &p : run.found.problems)
    llvm::errs() << p << "\n";
  return !run.found.problems.empty();
}

// The files this migration rewrites: every file, or those of the batches asked for.
struct Selection {
  std::vector<pipeline::BatchPlan> batches;
  std::vector<bool> selected; // by index in run.outcomes
};

// The selection from --batch, --category, --max-files, --out and --commit; nullopt (the reason on
// stderr) when the batches cannot be planned.
std::optional<Selection> selectFiles(const pipeline::Run &run) {
  bool batching = !BatchName.empty() || !CategoryName.empty() || MaxFiles || !OutDir.empty() || Commit;
  Selection s;
  s.selected.assign(run.outcomes.size(), !batching);
  if (!batching)
    return s;
  auto planned = pipeline::planBatches(
      run, {BatchName, CategoryName, MaxFiles, /*all=*/BatchName.empty() && CategoryName.empty()});
  if (!planned) {
    llvm::errs() << "poolify migrate: " << llvm::toString(planned.takeError()) << "\n";
    return std::nullopt;
  }
  s.batches = std::move(*planned);
  for (const auto &b : s.batches)
    for (size_t i : b.files)
      s.selected[i] = true;
  return s;
}

// -o: the diff goes there, whole or not at all. False (the reason on stderr) when it cannot be opened.
bool openDiffFile(std::unique_ptr<source::OutputFile> &diffFile) {
  if (OutputFile.empty())
    return true;
  auto opened = source::OutputFile::open(OutputFile);
  if (!opened) {
    llvm::errs() << OutputFile << ": error: cannot write the diff: " << llvm::toString(opened.takeError()) << "\n";
    return false;
  }
  diffFile = std::move(*opened);
  return true;
}

// File by file: its errors (and with --explain, its sites) on stderr; a selected one tallied and its
// change printed (a dry run) or written (--apply without --commit). 130 when interrupted, else 0.
int migrateFiles(const pipeline::Run &run, const std::vector<bool> &selected, source::OutputFile *diffFile,
                 bool printDiffs, model::MigrateTally &t) {
  output::Document doc = documentOf(run);
  output::PrinterOptions explain, colour;
  explain.explain = true;
  colour.colour = printDiffs && !diffFile && coloursOnStdout();
  auto errorsOut = output::makePrinter(output::Format::Explain, llvm::errs());
  auto explainOut = output::makePrinter(output::Format::Explain, llvm::errs(), explain);
  auto diffOut = output::makePrinter(output::Format::Diff, diffFile ? diffFile->os() : llvm::outs(), colour);
  pipeline::MigrateSink sink;
  sink.file = [&](const model::FileOutcome &o, bool isSelected) {
    llvm::consumeError((Explain && isSelected ? explainOut : errorsOut)->file(doc, o));
  };
  sink.diff = [&](const model::FileOutcome &o) { return diffOut->file(doc, o); };
  sink.say = say;
  pipeline::MigrateOptions options;
  options.printDiffs = printDiffs;
  options.write = !printDiffs && Apply && !Commit;
  return pipeline::migrateFiles(run, selected, options, sink, t) ? 0 : 130;
}

// -o: the diff written out whole; false (the reason on stderr) when it cannot be.
bool commitDiffFile(source::OutputFile &diffFile) {
  if (auto err = diffFile.commit()) {
    llvm::errs() << OutputFile << ": error: cannot write the diff: " << llvm::toString(std::move(err)) << "\n";
    return false;
  }
  return true;
}

// --manifest: the tree as it was read, like `poolify manifest` (one run instead of two); false when
// it could not be written.
bool writeManifestOut(pipeline::Run &run) {
  model::Manifest m = pipeline::manifestOf(run, pipeline::findMockTargets(run));
  return writeManifest(run, output::manifestFormatFor(std::string(ManifestOut)), m, ManifestOut, false) != 2;
}

} // namespace

int runMigrate() {
  if (!outputFileFitsMode())
    return 2;
  auto prepared =
      prepareRun(runOptions(/*cacheByDefault=*/false, /*withInherited=*/!OutDir.empty() || !ManifestOut.empty()));
  if (!prepared)
    return 2;
  pipeline::Run &run = *prepared;
  if (!readyToAnalyze(run))
    return 2;
  if (Apply || Commit) // poolify's own temp files left by an interrupted run, older than this one
    for (const auto &line : source::removeStaleTemps(run.found))
      llvm::errs() << line << "\n";
  bool failed = printDiscoveryProblems(run);
  analyzeRun(run);
  auto selection = selectFiles(run);
  if (!selection)
    return 2;

  model::MigrateTally t;
  if (Apply || Commit)
    source::deferInterrupts();
  bool printDiffs = !Apply && !Commit && OutDir.empty();
  std::unique_ptr<source::OutputFile> diffFile;
  if (!openDiffFile(diffFile))
    return 2;
  if (int code = migrateFiles(run, selection->selected, diffFile.get(), printDiffs, t))
    return code;
  llvm::outs().flush();
  if (diffFile && !commitDiffFile(*diffFile))
    return 2;

  if (!OutDir.empty() && !writeBatchFiles(run, selection->batches))
    return 2;
  if (Commit)
    if (int code = commitBatches(run, selection->batches, t))
      return code;
  if (!ManifestOut.empty() && !writeManifestOut(run))
    return 2;
  summarizeMissingPools(run.outcomes);
  llvm::errs() << output::migrateSummary(t, run.found.files.size(), Apply || Commit);
  return failed ? 2 : t.errors ? 1 : 0; // a PATH that is not there is an input error, as in every command
}

} // namespace poolify::cli

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

#include <optional>

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

// Counts a selected file's sites: rewritten, removed, left, unsafe, and its test patches.
void tallySites(const model::FileOutcome &o, Tally &t) {
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
}

// A changed file: its diff printed (a dry run) or the file written (--apply without --commit, which
// writes batch by batch later). One that fails counts as an error, not a change. False when
// interrupted before writing.
bool emitChange(const output::Document &doc, const model::FileOutcome &o, output::Printer &diffOut, bool printDiffs,
                Tally &t) {
  if (printDiffs) {
    if (auto err = diffOut.file(doc, o)) {
      llvm::errs() << o.file.display << ": error: " << llvm::toString(std::move(err)) << "\n";
      ++t.errors, --t.changed;
    }
  } else if (Apply && !Commit) {
    if (stopIfInterrupted(t))
      return false;
    if (apply(o))
      ++t.written;
    else
      ++t.errors, --t.changed;
  }
  return true;
}

// File by file: its errors (and with --explain, its sites) on stderr; a selected one tallied and its
// change emitted. 130 when interrupted, else 0.
int migrateFiles(const pipeline::Run &run, const std::vector<bool> &selected, source::OutputFile *diffFile,
                 bool printDiffs, Tally &t) {
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
    tallySites(o, t);
    if (!o.changed())
      continue;
    ++t.changed;
    if (!emitChange(doc, o, *diffOut, printDiffs, t))
      return 130;
  }
  return 0;
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
  model::Manifest m = manifestOf(run, pipeline::findMockTargets(run));
  return writeManifest(run, output::manifestFormatFor(std::string(ManifestOut)), m, ManifestOut, false) != 2;
}

// ", retargeted N test patches (M need a hand fix)", or nothing when there were none.
std::string patchesSummary(const Tally &t) {
  if (!t.patches && !t.patchesLeft)
    return std::string();
  return fmt::format(", retargeted {}{}", counted(t.patches, "test patch", "test patches"),
                     t.patchesLeft
                         ? fmt::format(" ({} need{} a hand fix)", t.patchesLeft, t.patchesLeft == 1 ? "s" : "")
                         : std::string());
}

void printMigrateSummary(const pipeline::Run &run, const Tally &t) {
  llvm::errs() << fmt::format(
      "poolify: scanned {}, {} {}, rewrote {}, removed {}, left {}{}{}{}\n", counted(run.found.files.size(), "file"),
      Apply || Commit ? "changed" : "would change", t.changed, counted(t.rewritten, "site"),
      counted(t.removed, "override"), counted(t.left, "site"),
      t.unsafe ? fmt::format(" ({} of them fixable with --unsafe-fixes)", t.unsafe) : std::string(), patchesSummary(t),
      t.errors ? fmt::format(", {} with errors", counted(t.errors, "file")) : std::string());
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

  Tally t;
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
  printMigrateSummary(run, t);
  return failed ? 2 : t.errors ? 1 : 0; // a PATH that is not there is an input error, as in every command
}

} // namespace poolify::cli

// poolify report [PATH...] -o report.html
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/print.h"
#include "cli/run.h"
#include "output/summary.h"
#include "pipeline/coverage.h"
#include "pipeline/mocks.h"
#include "pipeline/pages.h"
#include "source/output_file.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

namespace poolify::cli {

namespace {

// A path as the report's title names it: as given, but by its folder's name when it ends in "." or
// ".." ("poolify report: pipeline", not "poolify report: .").
std::string titleName(const std::string &path) {
  llvm::StringRef name = llvm::sys::path::filename(llvm::StringRef(path).rtrim('/'));
  if (!name.empty() && name != "." && name != "..")
    return path;
  llvm::SmallString<256> real;
  if (llvm::sys::fs::real_path(path, real))
    return path;
  llvm::StringRef folder = llvm::sys::path::filename(real);
  return folder.empty() || folder == "/" ? path : std::string(folder);
}

std::string reportTitle() {
  std::string joined;
  for (const auto &p : Paths)
    joined += (joined.empty() ? "" : " ") + titleName(p);
  return "poolify report: " + (joined.empty() ? titleName(".") : joined);
}

} // namespace

int runReport() {
  if (OutputFile.empty()) {
    llvm::errs() << "poolify report: name the HTML file with -o report.html\n";
    return 2;
  }
  auto prepared = prepareRun(runOptions(/*cacheByDefault=*/false, /*withInherited=*/true));
  if (!prepared)
    return 2;
  pipeline::Run &run = *prepared;
  analyzeRun(run);
  bool failed = printErrors(run);

  // One read of each changed file: its diff goes to the page, its new text is analyzed again for
  // the coverage after migration.
  output::Document doc = documentOf(run);
  std::string page;
  llvm::raw_string_ostream pageOut(page);
  auto html = output::makePrinter(output::Format::Html, pageOut);
  pipeline::AfterSink sink;
  sink.texts = [&](const model::FileOutcome &o, const model::Texts &read) {
    output::Document fileDoc = doc;
    fileDoc.texts = [&](const model::FileOutcome &) -> llvm::Expected<model::Texts> { return read; };
    failed = !feed(*html, fileDoc, o) || failed;
  };
  sink.unreadable = [&](const model::FileOutcome &o, const std::string &error) {
    llvm::errs() << o.file->display() << ": error: " << error << "\n";
  };
  pipeline::AfterMigration after = pipeline::analyzeAfter(run, sink);
  failed = after.failed || failed;
  model::Manifest before = pipeline::manifestOf(run, pipeline::findMockTargets(run));
  model::Manifest migrated = pipeline::manifestAfter(run, after.outcomes);

  doc.title = reportTitle();
  doc.manifest = &before;
  doc.after = &migrated;
  pipeline::ReportPages pages(OutputFile);
  bool paged = pipeline::ReportPages::possible(OutputFile);
  if (paged) {
    doc.maxPageBytes = *parseByteSize(MaxPageSize); // checked with the other values
    doc.pageName = [&](size_t k) { return pages.name(k); };
    doc.writePage = [&](const std::string &name, const std::string &text) { pages.add(name, text); };
  }
  html->finish(doc);
  pageOut.flush();
  if (!pages.write([](const std::string &line) { llvm::errs() << line; }))
    return 2;
  if (auto err = source::writeOutputFile(OutputFile, page)) { // whole or not at all
    llvm::errs() << OutputFile << ": error: cannot write the report: " << llvm::toString(std::move(err)) << "\n";
    return 2;
  }
  if (paged)
    pages.removeStale();
  llvm::errs() << output::reportSummary({OutputFile, pages.count(), pages.name(1), pages.name(pages.count())},
                                        model::countChanges(run.outcomes), before, migrated);
  return !run.found.problems.empty() ? 2 : failed ? 1 : 0;
}

} // namespace poolify::cli

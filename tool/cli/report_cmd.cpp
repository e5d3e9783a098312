// poolify report [PATH...] -o report.html
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/print.h"
#include "cli/run.h"
#include "pipeline/mocks.h"
#include "pipeline/reader.h"
#include "source/output_file.h"
#include "support/text.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

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
  std::vector<model::FileOutcome> after;
  for (size_t i = 0; i < run.outcomes.size(); ++i) {
    const auto &o = run.outcomes[i];
    auto read = o.changed() ? pipeline::texts(o) : llvm::Expected<model::Texts>(model::Texts{});
    if (!read) {
      llvm::errs() << o.file.display << ": error: " << llvm::toString(read.takeError()) << "\n";
      failed = true;
      after.push_back(o);
      continue;
    }
    output::Document fileDoc = doc;
    fileDoc.texts = [&](const model::FileOutcome &) -> llvm::Expected<model::Texts> { return *read; };
    failed = !feed(*html, fileDoc, o) || failed;
    after.push_back(o.changed() ? pipeline::reanalyze(run, i, std::move(read->updated)) : o);
  }
  auto recordsAfter = [&](size_t i) -> const std::vector<model::SiteRecord> & { return after[i].records; };
  model::Manifest before = manifestOf(run, pipeline::findMockTargets(run));
  model::Manifest migrated =
      model::buildManifest(after, run.categories(), run.inherited,
                           pipeline::findMockTargets(after, pipeline::allFiles(after), recordsAfter));

  doc.title = reportTitle();
  doc.manifest = &before;
  doc.after = &migrated;
  html->finish(doc);
  pageOut.flush();
  if (auto err = source::writeOutputFile(OutputFile, page)) { // whole or not at all
    llvm::errs() << OutputFile << ": error: cannot write the report: " << llvm::toString(std::move(err)) << "\n";
    return 2;
  }
  size_t changed = 0, left = 0;
  for (const auto &o : run.outcomes) {
    changed += o.changed();
    left += std::count_if(o.records.begin(), o.records.end(), [](const auto &r) { return r.needsHandFix(); });
  }
  llvm::errs() << fmt::format("poolify: wrote {} ({} would change, {} left; coverage {}% now, {}% after "
                              "migrate)\n",
                              std::string(OutputFile), counted(changed, "file"), counted(left, "site"),
                              model::formatPercent(before.total.coverage()),
                              model::formatPercent(migrated.total.coverage()));
  return !run.found.problems.empty() ? 2 : failed ? 1 : 0;
}

} // namespace poolify::cli

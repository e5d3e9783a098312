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
#include <llvm/Support/MemoryBuffer.h>
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

// The report's diff pages, named after the main page ("report.html": "report-diffs-1.html", ...)
// and written beside it. A page is written whole or not at all; the main page only after its pages.
class DiffPages {
public:
  explicit DiffPages(const std::string &mainPath) {
    llvm::StringRef name = llvm::sys::path::filename(mainPath);
    folder_ = llvm::sys::path::parent_path(mainPath).str();
    mainName_ = name.str();
    stem_ = name.endswith(".html") || name.endswith(".htm") ? llvm::sys::path::stem(name).str() : name.str();
  }

  // Standard output or a device gets one page, whatever its size.
  static bool possible(const std::string &mainPath) {
    llvm::StringRef p(mainPath);
    return p != "-" && !p.startswith("/dev/") && !p.startswith("/proc/");
  }

  std::string name(size_t k) const { return k ? fmt::format("{}-diffs-{}.html", stem_, k) : mainName_; }

  void add(const std::string &name, const std::string &html) { pages_.emplace_back(name, html); }
  size_t count() const { return pages_.size(); }

  // Writes the pages; false (having said why) when one could not be written.
  bool write() const {
    for (const auto &[name, html] : pages_)
      if (auto err = source::writeOutputFile(path(name), html)) {
        llvm::errs() << path(name) << ": error: cannot write the report's diff page: " << llvm::toString(std::move(err))
                     << "\n";
        return false;
      }
    return true;
  }

  // Removes the diff pages an earlier, larger report left after the last one written now: only
  // files of that name that poolify wrote (its generator line), so a file of the user's stays.
  void removeStale() const {
    for (size_t k = pages_.size() + 1;; ++k) {
      std::string stale = path(name(k));
      auto text = llvm::MemoryBuffer::getFile(stale, /*IsText=*/false, /*RequiresNullTerminator=*/false);
      if (!text || !(*text)->getBuffer().take_front(512).contains("<meta name=\"generator\" content=\"poolify "))
        return;
      llvm::sys::fs::remove(stale);
    }
  }

private:
  std::string path(const std::string &name) const {
    if (folder_.empty())
      return name;
    llvm::SmallString<256> p(folder_);
    llvm::sys::path::append(p, name);
    return std::string(p);
  }

  std::string folder_, mainName_, stem_;
  std::vector<std::pair<std::string, std::string>> pages_;
};

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
  DiffPages pages(OutputFile);
  if (DiffPages::possible(OutputFile)) {
    doc.maxPageBytes = *parseByteSize(MaxPageSize); // checked with the other values
    doc.pageName = [&](size_t k) { return pages.name(k); };
    doc.writePage = [&](const std::string &name, const std::string &text) { pages.add(name, text); };
  }
  html->finish(doc);
  pageOut.flush();
  if (!pages.write())
    return 2;
  if (auto err = source::writeOutputFile(OutputFile, page)) { // whole or not at all
    llvm::errs() << OutputFile << ": error: cannot write the report: " << llvm::toString(std::move(err)) << "\n";
    return 2;
  }
  if (DiffPages::possible(OutputFile))
    pages.removeStale();
  size_t changed = 0, left = 0;
  for (const auto &o : run.outcomes) {
    changed += o.changed();
    left += std::count_if(o.records.begin(), o.records.end(), [](const auto &r) { return r.needsHandFix(); });
  }
  std::string written = OutputFile;
  if (pages.count())
    written += fmt::format(" and {} of diffs beside it ({}{})", counted(pages.count(), "page"), pages.name(1),
                           pages.count() > 1 ? " to " + pages.name(pages.count()) : "");
  llvm::errs() << fmt::format("poolify: wrote {} ({} would change, {} left; coverage {}% now, {}% after "
                              "migrate)\n",
                              written, counted(changed, "file"), counted(left, "site"),
                              model::formatPercent(before.total.coverage()),
                              model::formatPercent(migrated.total.coverage()));
  return !run.found.problems.empty() ? 2 : failed ? 1 : 0;
}

} // namespace poolify::cli

// poolify report [PATH...] -o report.html
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/run.h"
#include "output/diff.h"
#include "output/report.h"
#include "source/output_file.h"

#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

namespace poolify::cli {

int runReport() {
  if (OutputFile.empty()) {
    llvm::errs() << "poolify report: name the HTML file with -o report.html\n";
    return 2;
  }
  std::vector<std::string> paths(Paths.begin(), Paths.end());
  auto prepared = prepareRun(paths);
  if (!prepared)
    return 2;
  Run &run = *prepared;
  analyze(run, /*withInherited=*/true);
  bool failed = printErrors(run);

  output::ReportData data;
  std::string joined;
  for (const auto &p : paths)
    joined += (joined.empty() ? "" : " ") + p;
  data.title = "poolify report: " + (joined.empty() ? std::string(".") : joined);
  std::vector<std::string> categories = categoriesOf(run);
  std::vector<pipeline::FileOutcome> after;
  for (const auto &o : run.outcomes) {
    std::optional<pipeline::Texts> texts;
    if (o.changed()) {
      auto read = pipeline::texts(o);
      if (!read) {
        llvm::errs() << o.file.display << ": error: " << llvm::toString(read.takeError()) << "\n";
        failed = true;
        after.push_back(o);
        continue;
      }
      texts = std::move(*read);
      data.diffs.push_back({o.file.display, output::unifiedDiff(texts->original, texts->updated, o.file.display),
                            o.rewritten, o.removed});
    }
    for (const auto &r : o.records)
      if ((r.kind == pipeline::SiteRecord::Kind::Direct || r.kind == pipeline::SiteRecord::Kind::Reference) &&
          !r.fixable())
        data.left.push_back({o.file.display, r.line, r.col, r.rule, r.reason});
    // Coverage once migrated: the same analysis of the rewritten text.
    if (texts) {
      after.push_back(pipeline::processText(o.file, std::move(texts->updated), run.rules));
      after.back().release();
    } else {
      after.push_back(o);
    }
  }
  data.before = output::buildManifest(run.outcomes, categories, run.inherited);
  data.after = output::buildManifest(after, categories, run.inherited);

  if (auto err = source::writeOutputFile(OutputFile, output::renderReport(data))) { // whole or not at all
    llvm::errs() << OutputFile << ": error: cannot write the report: " << llvm::toString(std::move(err)) << "\n";
    return 2;
  }
  llvm::errs() << fmt::format("poolify: wrote {} ({} files would change, {} sites left; coverage {}% now, {}% after "
                              "migrate)\n",
                              std::string(OutputFile), data.diffs.size(), data.left.size(),
                              output::formatPercent(data.before.total.coverage()),
                              output::formatPercent(data.after.total.coverage()));
  return failed ? 1 : 0;
}

} // namespace poolify::cli

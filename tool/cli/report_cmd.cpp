// poolify report [PATH...] -o report.html
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/run.h"
#include "pipeline/mocks.h"
#include "pipeline/reader.h"
#include "output/diff.h"
#include "output/report.h"

#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

namespace poolify::cli {

int runReport() {
  if (OutputFile.empty()) {
    llvm::errs() << "poolify report: name the HTML file with -o report.html\n";
    return 2;
  }
  std::vector<std::string> paths(Paths.begin(), Paths.end());
  auto prepared = prepareRun(runOptions(/*cacheByDefault=*/false, /*withInherited=*/true));
  if (!prepared)
    return 2;
  pipeline::Run &run = *prepared;
  analyzeRun(run);
  bool failed = printErrors(run);

  output::ReportData data;
  std::string joined;
  for (const auto &p : paths)
    joined += (joined.empty() ? "" : " ") + p;
  data.title = "poolify report: " + (joined.empty() ? std::string(".") : joined);
  std::vector<std::string> categories = run.categories();
  std::vector<model::FileOutcome> after;
  for (size_t i = 0; i < run.outcomes.size(); ++i) {
    const auto &o = run.outcomes[i];
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
      if ((r.kind == model::SiteRecord::Kind::Direct || r.kind == model::SiteRecord::Kind::Reference) &&
          !r.fixable())
        data.left.push_back({o.file.display, r.line, r.col, r.rule, r.reason});
    // Coverage once migrated: the same analysis of the rewritten text.
    if (texts) {
      after.push_back(pipeline::reanalyze(run, i, std::move(texts->updated)));
    } else {
      after.push_back(o);
    }
  }
  data.before = output::buildManifest(run.outcomes, categories, run.inherited, pipeline::findMockTargets(run));
  data.after = output::buildManifest(
      after, categories, run.inherited,
      pipeline::findMockTargets(after, pipeline::allFiles(after),
                                [&](size_t i) -> const std::vector<model::SiteRecord> & { return after[i].records; }));

  std::error_code ec;
  llvm::raw_fd_ostream os(OutputFile, ec);
  if (ec) {
    llvm::errs() << OutputFile << ": error: cannot write the report: " << ec.message() << "\n";
    return 2;
  }
  os << output::renderReport(data);
  llvm::errs() << fmt::format("poolify: wrote {} ({} files would change, {} sites left; coverage {}% now, {}% after "
                              "migrate)\n",
                              std::string(OutputFile), data.diffs.size(), data.left.size(),
                              output::formatPercent(data.before.total.coverage()),
                              output::formatPercent(data.after.total.coverage()));
  return failed ? 1 : 0;
}

} // namespace poolify::cli

// poolify manifest [PATH...] --format json|markdown|csv [-o FILE] [--shard K/N]
// poolify manifest --merge A.json B.json ... --format ...
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/run.h"
#include "output/manifest.h"
#include "source/output_file.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

namespace poolify::cli {

int writeManifest(const std::string &format, const output::Manifest &m, const std::string &file, bool failed) {
  auto render = [&](llvm::raw_ostream &os) {
    if (format == "json")
      output::writeJson(m, os); // streamed: a large manifest is never held twice
    else
      os << (format == "markdown" ? output::renderMarkdown(m) : output::renderCsv(m));
  };
  if (file.empty()) {
    render(llvm::outs());
  } else {
    auto out = source::OutputFile::open(file); // whole or not at all
    llvm::Error err = out ? (render((*out)->os()), (*out)->commit()) : out.takeError();
    if (err) {
      llvm::errs() << file << ": error: cannot write the manifest: " << llvm::toString(std::move(err)) << "\n";
      return 2;
    }
  }
  llvm::errs() << fmt::format("poolify: {} files use clients: {} direct sites ({} fixable), {} pooled sites, "
                              "{} inherited; coverage {}%{}\n",
                              m.total.files, m.total.directSites, m.total.fixableSites, m.total.pooledSites,
                              m.total.inheritedClasses, output::formatPercent(m.total.coverage()),
                              failed ? "; some files could not be analyzed (see above)" : "");
  return failed ? 1 : 0;
}

int runManifest() {
  std::string format = Format.empty() ? "json" : std::string(Format);
  if (format != "json" && format != "markdown" && format != "csv") {
    llvm::errs() << "poolify manifest: --format must be json, markdown or csv, not '" << format << "'\n";
    return 2;
  }
  if (Merge) {
    auto merged = output::mergeManifests(std::vector<std::string>(Paths.begin(), Paths.end()));
    if (!merged) {
      llvm::errs() << llvm::toString(merged.takeError()) << "\n";
      return 2;
    }
    return writeManifest(format, *merged, OutputFile, false);
  }
  auto prepared = prepareRun(std::vector<std::string>(Paths.begin(), Paths.end()));
  if (!prepared)
    return 2;
  Run &run = *prepared;
  analyze(run, /*withInherited=*/true);
  bool failed = printErrors(run);
  auto lookup = [&](size_t i) -> const std::vector<pipeline::SiteRecord> & { return recordsOf(run, i); };
  return writeManifest(format, output::buildManifest(run.outcomes, categoriesOf(run), run.inherited, lookup),
                       OutputFile, failed);
}

} // namespace poolify::cli

// poolify manifest [PATH...] --format json|markdown|csv [-o FILE] [--shard K/N]
// poolify manifest --merge A.json B.json ... --format ...
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/print.h"
#include "cli/run.h"
#include "output/manifest.h"
#include "output/summary.h"
#include "pipeline/coverage.h"
#include "pipeline/mocks.h"

#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

namespace poolify::cli {

int writeManifest(const pipeline::Run &run, output::Format format, const model::Manifest &m, const std::string &file,
                  bool failed) {
  output::Document doc = documentOf(run);
  doc.manifest = &m;
  if (file.empty())
    print(run, format, doc, llvm::outs(), std::vector<size_t>{});
  else if (!writeDocument(run, format, doc, file, "manifest", std::vector<size_t>{}))
    return 2;
  llvm::errs() << output::manifestSummary(m, failed);
  return failed ? 1 : 0;
}

int runManifest() {
  auto format = output::parseFormat(output::FormatChoice::Manifest,
                                    Format.getNumOccurrences() ? std::string(Format) : std::string("json"));
  if (!format) {
    llvm::errs() << llvm::toString(format.takeError()) << "\n";
    return 2;
  }
  if (Merge && Paths.empty()) {
    llvm::errs() << "poolify manifest: --merge needs the JSON manifests to combine (poolify manifest --merge "
                    "s1.json s2.json ...)\n";
    return 2;
  }
  if (Merge) {
    auto merged = output::mergeManifests(std::vector<std::string>(Paths.begin(), Paths.end()));
    if (!merged) {
      llvm::errs() << llvm::toString(merged.takeError()) << "\n";
      return 2;
    }
    return writeManifest(pipeline::Run{}, *format, *merged, OutputFile, false);
  }
  pipeline::RunOptions options = runOptions(/*cacheByDefault=*/true, /*withInherited=*/true);
  options.finalEdits = false; // the manifest counts sites; the cross-file edit pass changes none
  auto prepared = prepareRun(std::move(options));
  if (!prepared)
    return 2;
  pipeline::Run &run = *prepared;
  analyzeRun(run);
  bool failed = printErrors(run);
  model::Manifest m = pipeline::manifestOf(run, pipeline::findMockTargets(run));
  if (run.options.shard) // named in the JSON, so that --merge can tell a shard is missing
    m.shard = fmt::format("{}/{}", run.options.shard->index, run.options.shard->count);
  int code = writeManifest(run, *format, m, OutputFile, failed);
  return run.found.problems.empty() ? code : 2; // a PATH that is not there: an input error
}

} // namespace poolify::cli

// poolify pools init [PATH...] [--rule ID]... [--into DIR]
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/run.h"
#include "output/printer.h"
#include "output/summary.h"
#include "pipeline/pools.h"

#include <llvm/Support/raw_ostream.h>

namespace poolify::cli {

int runPools() {
  if (PoolsAction != "init") {
    llvm::errs() << "poolify pools: choose init (poolify pools init [PATH...] [--rule ID] [--into DIR])\n";
    return 2;
  }
  auto prepared = prepareRun(runOptions(/*cacheByDefault=*/false, /*withInherited=*/false));
  if (!prepared)
    return 2;
  pipeline::Run &run = *prepared;
  // A PATH that is not there is an input error, as in every command: nothing is written.
  for (const auto &p : run.found.problems)
    llvm::errs() << p << "\n";
  if (!run.found.problems.empty())
    return 2;
  if (Into.empty())
    analyzeRun(run); // which pool modules sites were left for, and in which units
  auto writes = pipeline::planPools(run, Into);
  if (!writes) {
    llvm::errs() << "poolify pools init: " << llvm::toString(writes.takeError()) << "\n";
    return 2;
  }
  bool failed = false;
  for (const auto &w : *writes) {
    auto written = pipeline::writePool(w);
    if (!written) {
      llvm::errs() << "poolify pools init: " << llvm::toString(written.takeError()) << "\n";
      failed = true;
      continue;
    }
    llvm::errs() << output::poolWrittenSummary(w.module, w.where, w.rule, w.templatePath, written->size());
    output::Document doc;
    doc.files = &*written;
    output::makePrinter(output::Format::FileList, llvm::outs())->finish(doc);
  }
  if (writes->empty())
    llvm::errs() << "poolify: no pool module is missing where the sites need it; nothing written\n";
  return failed ? 1 : 0;
}

} // namespace poolify::cli

// poolify rules list|validate|test
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/run.h"
#include "pipeline/engine.h"
#include "pipeline/examples.h"

#include <llvm/Support/raw_ostream.h>

#include <algorithm>

namespace poolify::cli {

int runRules() {
  if (RulesAction != "list" && RulesAction != "validate" && RulesAction != "test") {
    llvm::errs() << "poolify rules: choose list, validate or test\n";
    return 2;
  }
  // `rules list` shows the rules a run in this folder uses: poolify.yaml's rule files, ids and pool
  // packages (found from the current folder upwards, or --config; none with --no-config).
  pipeline::RunOptions options = runOptions(/*cacheByDefault=*/false, /*withInherited=*/false);
  options.paths.clear();
  auto rules = pipeline::rulesOf(options, /*withConfig=*/RulesAction == "list");
  if (!rules) {
    llvm::errs() << llvm::toString(rules.takeError()) << "\n";
    return 2; // bad rules are a configuration error (README: exit 2), for validate too
  }
  output::Document doc;
  doc.rules = &*rules;
  if (RulesAction != "test") {
    output::makePrinter(RulesAction == "list" ? output::Format::RuleList : output::Format::RuleValidation, llvm::outs())
        ->finish(doc);
    return 0;
  }
  std::vector<model::ExampleResult> examples = pipeline::runExamples(*rules);
  doc.examples = &examples;
  output::makePrinter(output::Format::RuleTests, llvm::outs())->finish(doc);
  bool allPassed = std::all_of(examples.begin(), examples.end(), [](const auto &e) { return e.passed; });
  return allPassed ? 0 : 1;
}

} // namespace poolify::cli

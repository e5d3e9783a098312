// poolify rules list|validate|test
#include "cli/commands.h"
#include "cli/options.h"
#include "config/config.h"
#include "output/diff.h"
#include "pipeline/engine.h"
#include "pipeline/process.h"

#include <llvm/Support/CommandLine.h>
#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

namespace poolify::cli {

namespace cl = llvm::cl;

namespace {

// `rules list` shows the rules a run in this folder uses: poolify.yaml's rule files, ids and pool
// packages (found from the current folder upwards, or --config; none with --no-config).
llvm::Expected<std::vector<rules::Rule>> effectiveRules() {
  config::Config cfg;
  std::optional<std::string> file =
      ConfigFile.empty() ? config::findConfig(".") : std::optional<std::string>(ConfigFile);
  if (file && !NoConfig) {
    auto loaded = config::loadConfig(*file);
    if (!loaded)
      return loaded.takeError();
    cfg = std::move(*loaded);
  }
  auto rules = pipeline::selectRules(std::vector<std::string>(RulePaths.begin(), RulePaths.end()),
                                     std::vector<std::string>(RuleIds.begin(), RuleIds.end()), cfg.rules, cfg.ruleIds,
                                     rules::defaultRulesDir(Argv0));
  if (!rules)
    return rules.takeError();
  if (auto err = pipeline::applyPoolPackages(*rules, cfg, RuleIds.empty() && cfg.ruleIds.empty()))
    return err;
  return rules;
}

void listRules(const std::vector<rules::Rule> &rules) {
  for (const auto &r : rules) {
    llvm::outs() << fmt::format("{}\t{}\t{}\n", r.id, r.file, r.description);
    for (const auto &rw : r.rewrites)
      for (const auto &m : rw.match)
        llvm::outs() << fmt::format("  {} -> {}.{}\n", m, rw.replace.module, rw.replace.function);
  }
}

} // namespace

int runRules() {
  if (RulesAction != "list" && RulesAction != "validate" && RulesAction != "test") {
    llvm::errs() << "poolify rules: choose list, validate or test\n";
    return 2;
  }
  auto rules = RulesAction == "list"
                   ? effectiveRules()
                   : pipeline::selectRules(std::vector<std::string>(RulePaths.begin(), RulePaths.end()),
                                           std::vector<std::string>(RuleIds.begin(), RuleIds.end()), {}, {},
                                           rules::defaultRulesDir(Argv0));
  if (!rules) {
    llvm::errs() << llvm::toString(rules.takeError()) << "\n";
    return 2; // bad rules are a configuration error (README: exit 2), for validate too
  }
  if (RulesAction == "list") {
    listRules(*rules);
    return 0;
  }
  if (RulesAction == "validate") {
    llvm::outs() << fmt::format("{} valid\n", counted(rules->size(), "rule file is", "rule files are"));
    return 0;
  }
  unsigned passed = 0, failedCount = 0;
  for (const auto &r : *rules) {
    std::vector<rules::Rule> only{r};
    for (size_t i = 0; i < r.examples.size(); ++i) {
      const auto &ex = r.examples[i];
      std::string label = fmt::format("{}#{}{}", r.id, i + 1, ex.name.empty() ? "" : " (" + ex.name + ")");
      std::string path = fmt::format("example_{}.py", i + 1);
      analysis::FileContext context;
      context.unsafeFixes = ex.unsafeFixes;
      auto out = pipeline::processText({path, path}, ex.before, only, context);
      if (!out.failed && out.result() == ex.after) {
        ++passed;
        continue;
      }
      ++failedCount;
      llvm::outs() << fmt::format("FAIL {}: {}\n", r.file, label);
      for (const auto &m : out.messages)
        llvm::outs() << "  " << m.text << "\n";
      llvm::outs() << output::unifiedDiff(ex.after, out.result(), "expected-vs-actual/" + path);
    }
  }
  llvm::outs() << fmt::format("rules test: {} passed, {} failed\n", passed, failedCount);
  return failedCount ? 1 : 0;
}

} // namespace poolify::cli

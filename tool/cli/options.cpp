#include "cli/options.h"

#include <llvm/Support/raw_ostream.h>

namespace poolify::cli {

namespace cl = llvm::cl;

cl::SubCommand MigrateCmd("migrate", "Rewrite direct client construction to the shared pools (dry run by default)");
cl::SubCommand RulesCmd("rules", "List, validate or test rule files: rules list|validate|test");

cl::OptionCategory RuleOptions("Rule selection");

cl::list<std::string> RulePaths("rules", cl::desc("Rule file or folder (repeatable; default: the shipped rules/)"),
                                cl::value_desc("path"), cl::sub(MigrateCmd), cl::sub(RulesCmd),
                                cl::cat(RuleOptions));
cl::list<std::string> RuleIds("rule", cl::desc("Only this rule id (repeatable)"), cl::value_desc("id"),
                              cl::sub(MigrateCmd), cl::sub(RulesCmd), cl::cat(RuleOptions));
cl::opt<unsigned> Jobs("jobs", cl::desc("Files processed in parallel (default: all cores)"), cl::init(0),
                       cl::sub(MigrateCmd));

cl::list<std::string> Paths(cl::Positional, cl::desc("[PATH...]"), cl::sub(MigrateCmd));
cl::opt<bool> Apply("apply", cl::desc("Write the changes (atomically) instead of printing a diff"),
                    cl::sub(MigrateCmd));
cl::opt<bool> Explain("explain", cl::desc("Print every site left alone, and every argument inferred from scope"),
                      cl::sub(MigrateCmd));
cl::opt<std::string> RulesAction(cl::Positional, cl::desc("list|validate|test"), cl::sub(RulesCmd));

const char *Argv0 = "poolify";

std::optional<std::vector<rules::Rule>> selectedRules() {
  std::vector<std::string> paths(RulePaths.begin(), RulePaths.end());
  if (paths.empty())
    paths.push_back(rules::defaultRulesDir(Argv0));
  auto loaded = rules::loadRules(paths);
  if (!loaded) {
    llvm::errs() << llvm::toString(loaded.takeError()) << "\n";
    llvm::errs() << "poolify: the rules could not be loaded; nothing was changed\n";
    return std::nullopt;
  }
  if (RuleIds.empty()) {
    if (loaded->empty()) {
      llvm::errs() << "poolify: no rule files found in " << paths.front() << "\n";
      return std::nullopt;
    }
    return std::move(*loaded);
  }
  std::vector<rules::Rule> picked;
  for (const auto &id : RuleIds) {
    auto it = std::find_if(loaded->begin(), loaded->end(), [&](const rules::Rule &r) { return r.id == id; });
    if (it == loaded->end()) {
      llvm::errs() << "poolify: unknown rule id '" << id << "' (poolify rules list shows them)\n";
      return std::nullopt;
    }
    picked.push_back(*it);
  }
  return picked;
}

} // namespace poolify::cli

// poolify: refactor Python codebases from direct cloud clients to shared pools.
#include "cli/commands.h"
#include "cli/options.h"
#include "rules/embedded.h"
#include "source/output_file.h"
#include "version.h" // generated at build time: POOLIFY_COMMIT

#include <llvm/Support/CommandLine.h>
#include <llvm/Support/raw_ostream.h>

int main(int argc, char **argv) {
  poolify::cli::Argv0 = argv[0];
  llvm::cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "poolify " << POOLIFY_VERSION << "\ncommit " << POOLIFY_COMMIT << "\nrules sha256:"
       << poolify::rules::embeddedRulesHash() << " (";
    const char *sep = "";
    for (const auto &f : poolify::rules::embeddedRuleFiles()) {
      os << sep << f.name.substr(0, f.name.rfind('.')); // the rule's file name without .yaml
      sep = ", ";
    }
    os << ")\n";
  });
  if (!llvm::cl::ParseCommandLineOptions(argc, argv,
                                         "poolify: migrate Python code from direct cloud clients to shared pools\n",
                                         &llvm::errs()))
    return 2;
  using poolify::source::finishStdout; // a failed write to stdout: a message and exit 2, not LLVM's abort
  if (poolify::cli::MigrateCmd)
    return finishStdout(poolify::cli::runMigrate());
  if (poolify::cli::RulesCmd)
    return finishStdout(poolify::cli::runRules());
  if (poolify::cli::ManifestCmd)
    return finishStdout(poolify::cli::runManifest());
  if (poolify::cli::CheckCmd)
    return finishStdout(poolify::cli::runCheck());
  if (poolify::cli::ReportCmd)
    return finishStdout(poolify::cli::runReport());
  if (poolify::cli::PoolsCmd)
    return finishStdout(poolify::cli::runPools());
  llvm::errs() << "poolify: choose a command: migrate, manifest, check, report, rules, pools (poolify --help lists them)\n";
  return 2;
}

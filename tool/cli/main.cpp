// poolify: refactor Python codebases from direct cloud clients to shared pools.
#include "cli/commands.h"
#include "cli/options.h"
#include "rules/embedded.h"
#include "source/output_file.h"
#include "version.h" // generated at build time: POOLIFY_COMMIT

#include <llvm/Support/CommandLine.h>
#include <llvm/Support/raw_ostream.h>

#include <cstdio>
#include <regex>
#include <unistd.h>
#include <string>

namespace {

namespace cl = llvm::cl;
using namespace poolify::cli;

void printVersion(llvm::raw_ostream &os) {
  os << "poolify " << POOLIFY_VERSION << "\ncommit " << POOLIFY_COMMIT << "\nrules sha256:"
     << poolify::rules::embeddedRulesHash() << " (";
  const char *sep = "";
  for (const auto &f : poolify::rules::embeddedRuleFiles()) {
    os << sep << f.name.substr(0, f.name.rfind('.')); // the rule's file name without .yaml
    sep = ", ";
  }
  os << ")\n";
}

// "poolify migrate" for a subcommand's arguments, else "poolify".
std::string commandOf(int argc, char **argv) {
  if (argc > 1 && argv[1][0] != '-')
    return std::string("poolify ") + argv[1];
  return "poolify";
}

// LLVM's parser errors ("Unknown command line argument '--x'.  Try: ...", "'maybe' is invalid
// value for boolean argument! Try 0 or 1", "Did you mean ...") as one line of poolify's own.
std::string usageError(const std::string &llvmText, const std::string &command) {
  std::smatch m;
  std::string help = " (" + command + " --help lists the options)";
  if (std::regex_search(llvmText, m, std::regex("Unknown command line argument '([^']*)'")))
    return command + ": unknown option '" + m[1].str() + "'" + help;
  if (std::regex_search(llvmText, m, std::regex("Unknown subcommand '([^']*)'")))
    return "poolify: unknown command '" + m[1].str() +
           "' (migrate, manifest, check, report, rules or pools; poolify --help lists them)";
  if (std::regex_search(llvmText, m, std::regex("for the -+([^ ]+) option: '([^']*)' is invalid value for boolean")))
    return command + ": --" + m[1].str() + " is a switch and takes no value, not '" + m[2].str() + "'";
  if (std::regex_search(llvmText, m, std::regex("for the -+([^ ]+) option: '([^']*)' value invalid for u?int")))
    return command + ": --" + m[1].str() + " takes a whole number, not '" + m[2].str() + "'";
  if (std::regex_search(llvmText, m, std::regex("for the -+([^ ]+) option: requires a value")))
    return command + ": --" + m[1].str() + " needs a value" + help;
  if (std::regex_search(llvmText, m, std::regex("Too many positional arguments specified")))
    return command + ": too many arguments" + help;
  if (std::regex_search(llvmText, m, std::regex("Not enough positional command line arguments")))
    return command + ": missing arguments" + help;
  // Anything else: LLVM's first line, without the program name and the suggestion.
  std::string first = llvmText.substr(0, llvmText.find('\n'));
  size_t colon = first.find(": ");
  if (colon != std::string::npos)
    first = first.substr(colon + 2);
  return command + ": " + first + help;
}

// Per-subcommand help lists poolify's options, not LLVM's generic ones (--help-list, --print-options).
void hideGenericOptions() {
  for (cl::SubCommand *sub : {&MigrateCmd, &RulesCmd, &ManifestCmd, &CheckCmd, &ReportCmd, &PoolsCmd})
    cl::HideUnrelatedOptions({&cl::getGeneralCategory(), &ruleOptions()}, *sub);
  cl::HideUnrelatedOptions({&cl::getGeneralCategory(), &ruleOptions()}, *cl::TopLevelSubCommand);
}

// Values the parser takes as text: checked here, each with its own message. 0 when fine.
int checkValues(const std::string &command) {
  if (Color != "auto" && Color != "always" && Color != "never") {
    llvm::errs() << command << ": --color must be auto, always or never, not '" << Color << "'\n";
    return 2;
  }
  if (Jobs.getNumOccurrences() && Jobs == 0) {
    llvm::errs() << command << ": --jobs must be at least 1 (leave it out for all cores)\n";
    return 2;
  }
  return 0;
}

int dispatch() {
  if (MigrateCmd)
    return runMigrate();
  if (RulesCmd)
    return runRules();
  if (ManifestCmd)
    return runManifest();
  if (CheckCmd)
    return runCheck();
  if (ReportCmd)
    return runReport();
  if (PoolsCmd)
    return runPools();
  llvm::errs() << "poolify: choose a command: migrate, manifest, check, report, rules, pools (poolify --help lists them)\n";
  return 2;
}

} // namespace

// LLVM's parser prints some errors (bad values) straight to stderr: they are caught in a temp file
// while it parses, and turned into poolify's own line.
bool parse(int argc, char **argv, std::string &errors) {
  std::FILE *tmp = std::tmpfile();
  int saved = tmp ? ::dup(2) : -1;
  if (saved >= 0) {
    llvm::errs().flush();
    ::dup2(::fileno(tmp), 2);
  }
  llvm::raw_string_ostream errs(errors);
  bool ok = cl::ParseCommandLineOptions(argc, argv, "poolify: migrate Python code from direct cloud clients to shared "
                                        "pools\n", &errs);
  errs.flush();
  if (saved >= 0) {
    llvm::errs().flush();
    ::dup2(saved, 2);
    ::close(saved);
    std::rewind(tmp);
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, tmp)) > 0;)
      errors.append(buf, n);
  }
  if (tmp)
    std::fclose(tmp);
  return ok;
}

int main(int argc, char **argv) {
  Argv0 = argv[0];
  cl::SetVersionPrinter([](llvm::raw_ostream &os) { printVersion(os); });
  {
    // LLVM registers --help and --help-list on the first parse: one of nothing, so they can be hidden.
    std::string ignored;
    char *none[] = {argv[0], nullptr};
    parse(1, none, ignored);
    cl::ResetAllOptionOccurrences();
  }
  hideGenericOptions();
  std::string command = commandOf(argc, argv);
  std::string parseErrors;
  if (!parse(argc, argv, parseErrors)) {
    llvm::errs() << usageError(parseErrors, command) << "\n";
    return 2;
  }
  if (ShowVersion) {
    printVersion(llvm::outs());
    return poolify::source::finishStdout(0);
  }
  if (int code = checkValues(command))
    return code;
  // A failed write to stdout: a message and exit 2, not LLVM's abort.
  return poolify::source::finishStdout(dispatch());
}

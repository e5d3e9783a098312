// poolify: refactor Python codebases from direct cloud clients to shared pools.
#include "cli/commands.h"
#include "cli/options.h"
#include "rules/embedded.h"
#include "source/output_file.h"
#include "support/text.h"
#include "version.h" // generated at build time: POOLIFY_COMMIT

#include <llvm/Support/CommandLine.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace {

namespace cl = llvm::cl;
using namespace poolify::cli;

void printVersion(llvm::raw_ostream &os) {
  os << "poolify " << POOLIFY_VERSION << "\ncommit " << POOLIFY_COMMIT
     << "\nrules sha256:" << poolify::rules::embeddedRulesHash() << " (";
  const char *sep = "";
  for (const auto &f : poolify::rules::embeddedRuleFiles()) {
    os << sep << f.name.substr(0, f.name.rfind('.')); // the rule's file name without .yaml
    sep = ", ";
  }
  os << ")\n";
}

constexpr const char *kCommands = "migrate, manifest, check, report, rules or pools";

// "poolify migrate" for a subcommand's arguments, else "poolify".
std::string commandOf(int argc, char **argv) {
  static const std::set<std::string_view> known = {"migrate", "manifest", "check", "report", "rules", "pools"};
  if (argc > 1 && known.count(argv[1]))
    return std::string("poolify ") + argv[1];
  return "poolify";
}

// What follows `prefix` (which ends with a quote) up to the closing quote; nullopt without both.
std::optional<std::string> quotedAfter(const std::string &text, const std::string &prefix) {
  size_t at = text.find(prefix);
  if (at == std::string::npos)
    return std::nullopt;
  size_t start = at + prefix.size();
  size_t end = text.find('\'', start);
  if (end == std::string::npos)
    return std::nullopt;
  return text.substr(start, end - start);
}

// LLVM's "for the --NAME option: ..." error: NAME, and the rest of the line.
std::optional<std::pair<std::string, std::string>> optionError(const std::string &text) {
  size_t at = text.find("for the -");
  if (at == std::string::npos)
    return std::nullopt;
  size_t name = text.find_first_not_of('-', at + 8);
  size_t colon = text.find(" option: ", name);
  if (name == std::string::npos || colon == std::string::npos)
    return std::nullopt;
  size_t eol = text.find('\n', colon);
  return std::make_pair(text.substr(name, colon - name),
                        text.substr(colon + 9, eol == std::string::npos ? eol : eol - colon - 9));
}

// LLVM's parser errors ("Unknown command line argument '--x'.  Try: ...", "'maybe' is invalid
// value for boolean argument! Try 0 or 1", "Did you mean ...") as one line of poolify's own.
std::string usageError(const std::string &llvmText, const std::string &command) {
  std::string help = " (" + command + " --help lists the options)";
  auto unknownCommand = [](const std::string &word) {
    return "poolify: unknown command '" + word + "' (" + kCommands + "; poolify --help lists them)";
  };
  if (auto arg = quotedAfter(llvmText, "Unknown command line argument '"))
    return command == "poolify" && arg->rfind('-', 0) != 0 ? unknownCommand(*arg)
                                                           : command + ": unknown option '" + *arg + "'" + help;
  if (auto sub = quotedAfter(llvmText, "Unknown subcommand '"))
    return unknownCommand(*sub);
  if (auto opt = optionError(llvmText)) {
    const auto &[name, rest] = *opt;
    std::string flag = (name.size() == 1 ? "-" : "--") + name; // -o, --output
    std::optional<std::string> value = rest.rfind('\'', 0) == 0 ? quotedAfter(rest, "'") : std::nullopt;
    if (value && rest.find("is invalid value for boolean") != std::string::npos)
      return command + ": " + flag + " is a switch and takes no value, not '" + *value + "'";
    if (value && (rest.find("value invalid for int") != std::string::npos ||
                  rest.find("value invalid for uint") != std::string::npos))
      return command + ": " + flag + " takes a whole number, not '" + *value + "'";
    if (rest.rfind("requires a value", 0) == 0)
      return command + ": " + flag + " needs a value" + help;
  }
  if (llvmText.find("Too many positional arguments specified") != std::string::npos)
    return command + ": too many arguments" + help;
  if (llvmText.find("Not enough positional command line arguments") != std::string::npos)
    return command + ": missing arguments" + help;
  // Anything else: LLVM's first line, without the program name and the suggestion.
  std::string first = llvmText.substr(0, llvmText.find('\n'));
  size_t colon = first.find(": ");
  if (colon != std::string::npos)
    first = first.substr(colon + 2);
  return command + ": " + first + help;
}

// LLVM's generic options in one command's option map: --help listed among poolify's own options,
// the others (--help-list, --help-hidden, ...) hidden. HideUnrelatedOptions never hides LLVM's
// generic category, so its "Generic Options:" section stayed in every command's help.
void ownHelp(cl::SubCommand &sub) {
  for (auto &entry : cl::getRegisteredOptions(sub)) {
    cl::Option *o = entry.getValue();
    if (std::find(o->Categories.begin(), o->Categories.end(), &cl::getGeneralCategory()) != o->Categories.end() ||
        std::find(o->Categories.begin(), o->Categories.end(), &ruleOptions()) != o->Categories.end())
      continue; // poolify's own
    if (entry.getKey() == "help") {
      o->Categories.assign(1, &cl::getGeneralCategory());
      o->setDescription("Show the options of this command");
    } else {
      o->setHiddenFlag(cl::ReallyHidden);
    }
  }
}

// Per-subcommand help lists poolify's options, not LLVM's generic ones (--help-list, --print-options).
void hideGenericOptions() {
  for (cl::SubCommand *sub : {&MigrateCmd, &RulesCmd, &ManifestCmd, &CheckCmd, &ReportCmd, &PoolsCmd}) {
    cl::HideUnrelatedOptions({&cl::getGeneralCategory(), &ruleOptions()}, *sub);
    ownHelp(*sub);
  }
  cl::HideUnrelatedOptions({&cl::getGeneralCategory(), &ruleOptions()}, *cl::TopLevelSubCommand);
  ownHelp(*cl::TopLevelSubCommand);
}

// Takes --help out of the arguments (up to a "--"), true when it was there. The help is printed
// after the parse: LLVM's own --help handler shows its --help-list again, in a "Generic Options"
// section of every command's help.
bool takeHelp(std::vector<char *> &args) {
  bool help = false;
  for (size_t i = 1; i < args.size();) {
    std::string_view arg = args[i];
    if (arg == "--")
      break;
    if (arg == "--help" || arg == "-help") {
      help = true;
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  return help;
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
  if (!poolify::parseByteSize(MaxPageSize)) {
    llvm::errs() << command << ": --max-page-size must be a size in bytes, K or M (4M, 512K; 0 for one page), not '"
                 << MaxPageSize << "'\n";
    return 2;
  }
  return 0;
}

// Options that name a file or folder. An empty value is refused (`--rules=`, `-o ""`): it would
// mean the default, or a file named "" (--summary-markdown excepted: "$GITHUB_STEP_SUMMARY" is
// empty outside GitHub Actions, and empty means no summary).
int checkEmptyPaths(const std::string &command) {
  for (const cl::opt<std::string> *o : {&ConfigFile, &OutputFile, &OutputText, &OutputJson, &OutputSarif, &OutputGithub,
                                        &Baseline, &WriteBaseline, &OutDir, &ManifestOut, &CacheDir, &Into})
    if (o->getNumOccurrences() && o->getValue().empty()) {
      llvm::errs() << command << ": --" << o->ArgStr << " needs a path, not an empty value\n";
      return 2;
    }
  if (std::any_of(RulePaths.begin(), RulePaths.end(), [](const std::string &p) { return p.empty(); })) {
    llvm::errs() << command << ": --rules needs a rule file or folder, not an empty value\n";
    return 2;
  }
  return 0;
}

// Where an output goes: "-" for stdout, else the absolute path without "." and ".." parts.
std::string destinationOf(const std::string &path) {
  if (path == "-" || path == "/dev/stdout")
    return "-";
  llvm::SmallString<256> abs(path);
  llvm::sys::fs::make_absolute(abs);
  llvm::sys::path::remove_dots(abs, /*remove_dot_dot=*/true);
  return std::string(abs);
}

// Two documents of one run written to one place would overwrite (or, on stdout, interleave) each
// other: refused before the run. `-` names stdout, which a command's main document uses unless
// -o sends it elsewhere.
int checkOutputClashes(const std::string &command) {
  if (OutputFile == "-" && ReportCmd) {
    llvm::errs() << command << ": the report is HTML pages, not a stream; name its file with -o report.html\n";
    return 2;
  }
  std::map<std::string, std::string> used; // destination -> the option that writes there
  bool stdoutDocument =
      CheckCmd ? WriteBaseline.empty() : ManifestCmd || (MigrateCmd && !Apply && !Commit && OutDir.empty());
  if (stdoutDocument && (OutputFile.empty() || OutputFile == "-"))
    used["-"] = CheckCmd ? "the --format document" : MigrateCmd ? "the diff" : "the manifest";
  for (const cl::opt<std::string> *o :
       {&OutputText, &OutputJson, &OutputSarif, &OutputGithub, &WriteBaseline, &ManifestOut, &SummaryMarkdown}) {
    if (o->getValue().empty())
      continue;
    std::string name = "--" + o->ArgStr.str();
    auto [at, fresh] = used.emplace(destinationOf(*o), name);
    if (!fresh) {
      llvm::errs() << command << ": " << at->second << " and " << name << " would both write to "
                   << (at->first == "-" ? std::string("stdout") : std::string(o->getValue()))
                   << "; give each its own file\n";
      return 2;
    }
  }
  if (!OutputFile.empty() && OutputFile != "-")
    if (auto clash = used.find(destinationOf(OutputFile)); clash != used.end()) {
      llvm::errs() << command << ": -o/--output and " << clash->second << " would both write to " << OutputFile
                   << "; give each its own file\n";
      return 2;
    }
  if (OutputFile == "-")
    OutputFile.setValue(""); // the main document's default place
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
  llvm::errs()
      << "poolify: choose a command: migrate, manifest, check, report, rules, pools (poolify --help lists them)\n";
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
  bool ok = cl::ParseCommandLineOptions(argc, argv,
                                        "poolify: migrate Python code from direct cloud clients to shared "
                                        "pools\n",
                                        &errs);
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
  std::vector<char *> args(argv, argv + argc);
  bool help = takeHelp(args);
  std::string parseErrors;
  bool parsed = parse(static_cast<int>(args.size()), args.data(), parseErrors);
  if (help) { // the command's options (LLVM chose the command while parsing)
    cl::PrintHelpMessage(/*Hidden=*/false, /*Categorized=*/true);
    return poolify::source::finishStdout(0);
  }
  if (!parsed) {
    llvm::errs() << usageError(parseErrors, command) << "\n";
    return 2;
  }
  if (ShowVersion) {
    printVersion(llvm::outs());
    return poolify::source::finishStdout(0);
  }
  if (int code = checkValues(command))
    return code;
  if (int code = checkEmptyPaths(command))
    return code;
  if (int code = checkOutputClashes(command))
    return code;
  // A failed write to stdout: a message and exit 2, not LLVM's abort.
  return poolify::source::finishStdout(dispatch());
}

// Options shared by several subcommands, and the rule set they select.
#pragma once

#include "rules/rule.h"

#include <llvm/Support/CommandLine.h>

#include <optional>
#include <string>
#include <vector>

namespace poolify::cli {

extern llvm::cl::SubCommand MigrateCmd;
extern llvm::cl::SubCommand RulesCmd;
extern llvm::cl::SubCommand ManifestCmd;
extern llvm::cl::SubCommand CheckCmd;
extern llvm::cl::SubCommand ReportCmd;
extern llvm::cl::SubCommand PoolsCmd;

extern llvm::cl::list<std::string> RulePaths;
extern llvm::cl::list<std::string> RuleIds;
extern llvm::cl::opt<unsigned> Jobs;
// All options live in options.cpp: subcommands must exist before the options that name them
// (static initialisation order is only defined within one file).
extern llvm::cl::list<std::string> Paths;
extern llvm::cl::opt<std::string> PoolsAction;
extern llvm::cl::list<std::string> PoolsPaths;
extern llvm::cl::opt<std::string> Into;
extern llvm::cl::opt<bool> Apply;
extern llvm::cl::opt<bool> UnsafeFixes;
extern llvm::cl::opt<bool> Explain;
extern llvm::cl::opt<std::string> RulesAction;
extern llvm::cl::opt<std::string> ConfigFile;
extern llvm::cl::opt<bool> NoConfig;
extern llvm::cl::opt<std::string> Format;
extern llvm::cl::opt<std::string> OutputFile;
extern llvm::cl::opt<std::string> MaxPageSize;
extern llvm::cl::opt<std::string> OutputText;
extern llvm::cl::opt<std::string> OutputJson;
extern llvm::cl::opt<std::string> OutputSarif;
extern llvm::cl::opt<std::string> OutputGithub;
extern llvm::cl::opt<std::string> SummaryMarkdown;
extern llvm::cl::opt<bool> ExitZero;
extern llvm::cl::opt<std::string> Baseline;
extern llvm::cl::opt<std::string> WriteBaseline;
extern llvm::cl::list<std::string> MinCoverage;
extern llvm::cl::opt<bool> Strict;
extern llvm::cl::opt<std::string> BatchName;
extern llvm::cl::opt<std::string> CategoryName;
extern llvm::cl::opt<unsigned> MaxFiles;
extern llvm::cl::opt<std::string> OutDir;
extern llvm::cl::opt<std::string> ManifestOut;
extern llvm::cl::opt<bool> Commit;
extern llvm::cl::opt<bool> AllowDirty;
extern llvm::cl::opt<bool> Quiet;
extern llvm::cl::opt<std::string> Color;
extern llvm::cl::opt<bool> ShowVersion;
extern llvm::cl::opt<std::string> Shard;
extern llvm::cl::opt<bool> Merge;
extern llvm::cl::opt<std::string> CacheDir;
extern llvm::cl::opt<bool> NoCache;

/// The category of --rules and --rule (help lists it apart).
llvm::cl::OptionCategory &ruleOptions();

/// argv[0], for finding the shipped rules.
extern const char *Argv0;

} // namespace poolify::cli

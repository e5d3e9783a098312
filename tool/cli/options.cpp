#include "cli/options.h"

#include "source/discover.h"
#include "source/file_io.h"

#include <llvm/Support/raw_ostream.h>

namespace poolify::cli {

namespace cl = llvm::cl;

cl::SubCommand MigrateCmd("migrate", "Rewrite direct client construction to the shared pools (dry run by default)");
cl::SubCommand RulesCmd("rules", "List, validate or test rule files: rules list|validate|test");
cl::SubCommand ManifestCmd("manifest", "Report every direct and pooled client, per file and category");
cl::SubCommand ReportCmd("report", "Write a self-contained HTML report: coverage, diffs, sites left");
cl::SubCommand CheckCmd("check", "Fail (exit 1) when direct clients remain beyond what is allowed");
cl::SubCommand PoolsCmd("pools", "Write the pool modules a migration is waiting for: pools init");

cl::OptionCategory RuleOptions("Rule selection");
cl::OptionCategory &ruleOptions() { return RuleOptions; }

cl::list<std::string> RulePaths("rules", cl::desc("Rule file or folder (repeatable; default: the shipped rules/)"),
                                cl::value_desc("path"), cl::sub(MigrateCmd), cl::sub(RulesCmd), cl::sub(PoolsCmd),
                                cl::sub(ManifestCmd), cl::sub(CheckCmd), cl::sub(ReportCmd), cl::cat(RuleOptions));
cl::list<std::string> RuleIds("rule", cl::desc("Only this rule id (repeatable)"), cl::value_desc("id"),
                              cl::sub(MigrateCmd), cl::sub(RulesCmd), cl::sub(PoolsCmd), cl::sub(ManifestCmd),
                              cl::sub(CheckCmd), cl::sub(ReportCmd), cl::cat(RuleOptions));
cl::opt<unsigned> Jobs("jobs", cl::ZeroOrMore, cl::desc("Files processed in parallel (default: all cores)"),
                       cl::init(0), cl::value_desc("N"), cl::sub(MigrateCmd), cl::sub(ManifestCmd), cl::sub(CheckCmd),
                       cl::sub(ReportCmd), cl::sub(PoolsCmd));
cl::alias JobsShort("j", cl::desc("Alias for --jobs (-j N or -jN)"), cl::aliasopt(Jobs), cl::Prefix);
cl::opt<std::string> ConfigFile("config", cl::ZeroOrMore,
                                cl::desc("Configuration file (default: poolify.yaml or .poolify.yaml "
                                         "found from the first path upwards)"),
                                cl::value_desc("file"), cl::sub(MigrateCmd), cl::sub(PoolsCmd), cl::sub(RulesCmd),
                                cl::sub(ManifestCmd), cl::sub(CheckCmd), cl::sub(ReportCmd));
cl::opt<bool> NoConfig("no-config", cl::ZeroOrMore, cl::desc("Ignore any poolify.yaml"), cl::sub(MigrateCmd),
                       cl::sub(PoolsCmd), cl::sub(RulesCmd), cl::sub(ManifestCmd), cl::sub(CheckCmd),
                       cl::sub(ReportCmd));
cl::opt<std::string> Format("format", cl::ZeroOrMore,
                            cl::desc("manifest: json|markdown|csv; check: text|json|sarif|github"),
                            cl::value_desc("name"), cl::sub(ManifestCmd), cl::sub(CheckCmd));
cl::opt<std::string> OutputFile("output", cl::ZeroOrMore,
                                cl::desc("Write the document (migrate: the diff; check: the --format findings; "
                                         "manifest; report: the HTML page) to this file instead of stdout"),
                                cl::value_desc("file"), cl::sub(MigrateCmd), cl::sub(ManifestCmd), cl::sub(CheckCmd),
                                cl::sub(ReportCmd));
cl::alias OutputFileShort("o", cl::desc("Alias for --output"), cl::aliasopt(OutputFile));
cl::opt<std::string> MaxPageSize("max-page-size", cl::ZeroOrMore,
                                 cl::desc("Once the report would pass SIZE bytes (K, M: default 4M), its diffs go on "
                                          "pages of their own beside it (NAME-diffs-1.html, ...); 0: one page"),
                                 cl::value_desc("size"), cl::init("4M"), cl::sub(ReportCmd));
cl::opt<std::string> OutputText("output-text", cl::ZeroOrMore, cl::desc("Also write the findings as text to this file"),
                                cl::value_desc("file"), cl::sub(CheckCmd));
cl::opt<std::string> OutputJson("output-json", cl::ZeroOrMore, cl::desc("Also write the findings as JSON to this file"),
                                cl::value_desc("file"), cl::sub(CheckCmd));
cl::opt<std::string> OutputSarif("output-sarif", cl::ZeroOrMore,
                                 cl::desc("Also write the findings as SARIF 2.1.0 to this file (GitHub code scanning)"),
                                 cl::value_desc("file"), cl::sub(CheckCmd));
cl::opt<std::string> OutputGithub("output-github", cl::ZeroOrMore,
                                  cl::desc("Also write the findings as GitHub workflow commands to this file"),
                                  cl::value_desc("file"), cl::sub(CheckCmd));
cl::opt<std::string> SummaryMarkdown("summary-markdown", cl::ZeroOrMore,
                                     cl::desc("Append the check's result and the coverage manifest as Markdown to "
                                              "this file (\"$GITHUB_STEP_SUMMARY\")"),
                                     cl::value_desc("file"), cl::sub(CheckCmd));
cl::opt<bool> ExitZero("exit-zero", cl::ZeroOrMore,
                       cl::desc("Exit 0 even when findings fail the check (2 still means a usage error)"),
                       cl::sub(CheckCmd));
cl::opt<std::string> Baseline("baseline", cl::ZeroOrMore,
                              cl::desc("Sites listed in this baseline do not fail the check"), cl::value_desc("file"),
                              cl::sub(CheckCmd));
cl::opt<std::string> WriteBaseline("write-baseline", cl::ZeroOrMore,
                                   cl::desc("Write the current direct sites as a baseline"), cl::value_desc("file"),
                                   cl::sub(CheckCmd));
cl::list<std::string> MinCoverage("min-coverage",
                                  cl::desc("Fail below this site coverage: PCT (total) or CATEGORY=PCT (repeatable)"),
                                  cl::value_desc("pct"), cl::sub(CheckCmd));
cl::opt<bool> Strict("strict", cl::ZeroOrMore, cl::desc("Mock targets that stop intercepting are errors, not warnings"),
                     cl::sub(CheckCmd));

cl::list<std::string> Paths(cl::Positional, cl::desc("[PATH...]"), cl::sub(MigrateCmd), cl::sub(ManifestCmd),
                            cl::sub(CheckCmd), cl::sub(ReportCmd));
cl::opt<std::string> PoolsAction(cl::Positional, cl::desc("init"), cl::sub(PoolsCmd));
cl::list<std::string> PoolsPaths(cl::Positional, cl::desc("[PATH...]"), cl::sub(PoolsCmd));
cl::opt<std::string> Into("into", cl::ZeroOrMore,
                          cl::desc("Write the pool modules into this folder (a deployment unit, say) "
                                   "instead of where migrate found them missing"),
                          cl::value_desc("dir"), cl::sub(PoolsCmd));
cl::opt<bool> UnsafeFixes("unsafe-fixes", cl::ZeroOrMore,
                          cl::desc("Also apply (check: count as fixable) rewrites that may not keep behaviour: an "
                                   "argument taken from scope, a retrying pool in front of a request that is not "
                                   "idempotent; each is explained"),
                          cl::sub(MigrateCmd), cl::sub(CheckCmd), cl::sub(ManifestCmd), cl::sub(ReportCmd));
cl::opt<bool> Apply("apply", cl::ZeroOrMore, cl::desc("Write the changes (atomically) instead of printing a diff"),
                    cl::sub(MigrateCmd));
cl::opt<bool> Explain("explain", cl::ZeroOrMore,
                      cl::desc("Print every site left alone, and every argument inferred from scope"),
                      cl::sub(MigrateCmd));
cl::opt<std::string> RulesAction(cl::Positional, cl::desc("list|validate|test"), cl::sub(RulesCmd));

cl::opt<std::string> BatchName("batch", cl::ZeroOrMore, cl::desc("Only the files of this batch from poolify.yaml"),
                               cl::value_desc("name"), cl::sub(MigrateCmd));
cl::opt<std::string> CategoryName("category", cl::ZeroOrMore,
                                  cl::desc("Only the files of this category from poolify.yaml"), cl::value_desc("name"),
                                  cl::sub(MigrateCmd));
cl::opt<unsigned> MaxFiles("max-files", cl::ZeroOrMore,
                           cl::desc("Split the selection into numbered batches of at most N changed files"),
                           cl::value_desc("N"), cl::init(0), cl::sub(MigrateCmd));
cl::opt<std::string> OutDir("out", cl::ZeroOrMore,
                            cl::desc("Write one patch, manifest and summary per batch into this folder"),
                            cl::value_desc("dir"), cl::sub(MigrateCmd));
cl::opt<std::string> ManifestOut("manifest", cl::ZeroOrMore,
                                 cl::desc("Also write this run's coverage manifest to this file (.md: markdown, "
                                          ".csv: csv, else json), as `poolify manifest` would"),
                                 cl::value_desc("file"), cl::sub(MigrateCmd));
cl::opt<bool> Commit("commit", cl::ZeroOrMore, cl::desc("Apply batch after batch, one git commit each"),
                     cl::sub(MigrateCmd));
cl::opt<bool> AllowDirty("allow-dirty", cl::ZeroOrMore,
                         cl::desc("With --commit: proceed although the work tree has changes"), cl::sub(MigrateCmd));
cl::opt<bool> Quiet("quiet", cl::ZeroOrMore, cl::desc("No progress on stderr"), cl::sub(MigrateCmd), cl::sub(PoolsCmd),
                    cl::sub(ManifestCmd), cl::sub(CheckCmd), cl::sub(ReportCmd), cl::sub(RulesCmd));
cl::alias QuietShort("q", cl::desc("Alias for --quiet"), cl::aliasopt(Quiet));
cl::opt<std::string>
    Color("color", cl::ZeroOrMore,
          cl::desc("Colour the diff and check's text findings: auto (a terminal, unless NO_COLOR is set; "
                   "FORCE_COLOR forces it), always or never"),
          cl::value_desc("when"), cl::init("auto"), cl::sub(MigrateCmd), cl::sub(ManifestCmd), cl::sub(CheckCmd),
          cl::sub(ReportCmd), cl::sub(RulesCmd), cl::sub(PoolsCmd));
cl::opt<bool> ShowVersion("version", cl::ZeroOrMore, cl::desc("Print the version, commit and rules' hash"),
                          cl::sub(MigrateCmd), cl::sub(ManifestCmd), cl::sub(CheckCmd), cl::sub(ReportCmd),
                          cl::sub(RulesCmd), cl::sub(PoolsCmd));

cl::opt<std::string> Shard("shard", cl::ZeroOrMore,
                           cl::desc("Only shard K of N (K/N): files split by a hash of their path"),
                           cl::value_desc("K/N"), cl::sub(ManifestCmd), cl::sub(CheckCmd));
cl::opt<bool> Merge("merge", cl::ZeroOrMore, cl::desc("Combine JSON manifests (the paths) into one"),
                    cl::sub(ManifestCmd));

cl::opt<std::string> CacheDir("cache", cl::ZeroOrMore,
                              cl::desc("Keep per-file results here for the next run (check and manifest keep them by "
                                       "default in .git/poolify-cache, or .poolify-cache/ outside git)"),
                              cl::value_desc("dir"), cl::sub(MigrateCmd), cl::sub(ManifestCmd), cl::sub(CheckCmd),
                              cl::sub(ReportCmd));
cl::opt<bool> NoCache("no-cache", cl::ZeroOrMore, cl::desc("Neither read nor write the cache"), cl::sub(MigrateCmd),
                      cl::sub(ManifestCmd), cl::sub(CheckCmd), cl::sub(ReportCmd));

// Safety switches; each sets its flag in tool/source when given.
cl::opt<bool> FollowOutside("follow-outside", cl::ZeroOrMore,
                            cl::desc("Follow a PATH given through a symbolic link out of the folder that holds it"),
                            cl::sub(MigrateCmd), cl::sub(ManifestCmd), cl::sub(CheckCmd), cl::sub(ReportCmd),
                            cl::callback([](const bool &on) { source::setFollowOutside(on); }));
cl::opt<bool> BreakHardlinks("break-hardlinks", cl::ZeroOrMore,
                             cl::desc("Rewrite files that have other hard links (which separates the names)"),
                             cl::sub(MigrateCmd), cl::callback([](const bool &on) { source::setBreakHardlinks(on); }));

const char *Argv0 = "poolify";

} // namespace poolify::cli

// The project configuration, poolify.yaml (or .poolify.yaml), found by walking up from the first
// path of a run: categories and batches by path globs, excludes, rule selection, source roots.
// Every error names file:line:col.
#pragma once

#include "model/source_file.h"

#include <llvm/Support/Error.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace poolify::config {

struct Category {
  std::string name;
  std::vector<std::string> globs;
};

struct Batch {
  std::string name;
  std::vector<std::string> categories;
  std::vector<std::string> globs;
};

struct Config {
  std::string file; // "" when no config file was found
  std::string dir;  // globs and paths are relative to this folder
  std::vector<Category> categories;
  std::vector<Batch> batches;
  std::vector<std::string> exclude;
  std::vector<std::string> rules;   // rule files or folders (relative to dir)
  std::vector<std::string> ruleIds; // only these rules
  std::vector<std::string> sourceRoots;
  /// Folders deployed on their own (Cloud Functions, ...), as globs of folders relative to `dir`:
  /// each is its own import root. Folders holding main.py and requirements.txt (and no
  /// __init__.py) are units too, without being listed.
  std::vector<std::string> units;
  /// The package the shipped rules' pool modules live in ("shared.clients" unless set):
  /// `pools: {package: acme.platform.clients}` imports shared.clients.bigquery_pool's function from
  /// acme.platform.clients.bigquery_pool instead.
  std::string poolPackage;
  /// The same for one rule: `pools: {by_rule: {http: acme.web.clients}}` (rule id -> package).
  std::map<std::string, std::string> rulePoolPackages;
  /// The pool modules are installed (a distribution every deployment has), not files of the tree.
  bool poolsInstalled = false;

  /// The category of a path relative to `dir` ('/' separators): the first whose globs match, else "other".
  std::string categoryOf(const std::string &rel) const;
  bool excluded(const std::string &rel) const;
  /// `path` relative to `dir` ('/' separators), or nullopt when it lies outside.
  std::optional<std::string> relative(const std::string &path) const;
  /// The path a file's module is named by: its path under the first source root that holds it,
  /// else its display path.
  std::string modulePath(const model::SourceFile &f) const;
};

/// Loads a config file.
llvm::Expected<Config> loadConfig(const std::string &path);
/// Finds poolify.yaml or .poolify.yaml in `start` (a file's folder or a folder) or above.
std::optional<std::string> findConfig(const std::string &start);

/// Glob over '/'-separated paths: `*` and `?` stay within a segment, `**` spans segments,
/// `[abc]` character classes; a pattern without '/' matches the file name at any depth.
bool globMatch(std::string_view pattern, std::string_view path);
/// Why a glob can match nothing (empty, an unclosed '[', an empty class or range), or nullopt.
std::optional<std::string> globProblem(std::string_view pattern);

} // namespace poolify::config

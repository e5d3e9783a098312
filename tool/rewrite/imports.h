// The one import editor every rule uses: makes a pooled function's name available at a site
// (reusing an import in scope, merging into an existing from-import, or adding a line beside
// the import the site already relied on), and removes imports the rewrite left unused.
// It never shadows an existing name and never introduces a name that is unbound where used.
#pragma once

#include "analysis/sites.h"
#include "rewrite/edits.h"

#include <map>
#include <optional>
#include <set>
#include <unordered_set>
#include <string>
#include <vector>

namespace poolify::rewrite {

class ImportEditor {
public:
  ImportEditor(const py::Tree &tree, const py::ScopeModel &model, std::string_view eol);

  /// The text that names `module.function` at the site (`get_x` or `x_pool.get_x`), planning
  /// the import it needs; nullopt with `reason` when every spelling would clash.
  std::optional<std::string> nameFor(const analysis::Site &site, const std::string &module,
                                     const std::string &function, std::string &reason);

  /// Emits planned imports and removes the bindings of rewritten sites that nothing uses now.
  /// `vanishing` holds the code that goes away (a rewritten callee, a removed statement):
  /// references inside it no longer count as uses.
  void finish(const std::vector<const analysis::Site *> &rewritten, const std::vector<TSNode> &vanishing,
              EditSet &edits);

private:
  struct Planned {
    std::string module, name; // from module import name
    size_t offset;            // where the statement goes (or merge point)
    bool merge;               // `, name` into an existing from-import
    bool inlineAfter;         // the anchor shares its line with a compound header: `; from ...`
    std::string indent;
    TSNode block;             // the block that receives it (null at module level)
  };

  bool nameIsFree(std::string_view name) const;
  std::optional<std::string> boundTo(const analysis::Site &site, std::string_view name) const;
  void plan(const analysis::Site &site, const std::string &module, const std::string &name);
  size_t topImportBlockEnd() const;
  void removeImports(const std::vector<const py::Binding *> &bindings, const std::vector<Planned> &inserted,
                     EditSet &edits);

  void deleteLines(std::vector<std::pair<size_t, size_t>> lines, const std::vector<Planned> &inserted,
                   EditSet &edits) const;

  const py::Tree &tree_;
  const py::ScopeModel &model_;
  std::string eol_;
  std::vector<Planned> planned_;
  mutable std::optional<std::unordered_set<std::string>> usedNames_; // every name bound or used
  const std::vector<TSNode> &moduleStatements() const;
  mutable std::optional<std::vector<TSNode>> moduleStatements_;
  mutable std::optional<size_t> topBlockEnd_;
};

} // namespace poolify::rewrite

// The one import editor every rule uses: adds the import a rewritten site needs (merged into an
// existing from-import, or on a line beside the import the site already relied on), and removes
// imports the rewrite left unused. Which name to import is the analysis's decision
// (analysis/decide: never a name that is taken).
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

  /// Plans `from module import name` for a rewritten site: merged into an existing module-level
  /// from-import of `module`, else beside the import the site relied on.
  void add(const analysis::Site &site, const std::string &module, const std::string &name);

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

  size_t topImportBlockEnd() const;
  void removeImports(const std::vector<const py::Binding *> &bindings, const std::vector<Planned> &inserted,
                     EditSet &edits);

  void deleteLines(std::vector<std::pair<size_t, size_t>> lines, const std::vector<Planned> &inserted,
                   EditSet &edits) const;

  const py::Tree &tree_;
  const py::ScopeModel &model_;
  std::string eol_;
  std::vector<Planned> planned_;
  const std::vector<TSNode> &moduleStatements() const;
  mutable std::optional<std::vector<TSNode>> moduleStatements_;
  mutable std::optional<size_t> topBlockEnd_;
};

} // namespace poolify::rewrite

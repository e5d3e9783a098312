// The one import editor every rule uses: adds the import a rewritten site needs — merged into an
// existing from-import of the module (at its sorted place), with the file's imports of the same
// top-level package (first-party), else after the last module-level import before the use (never
// above a sys.path change), or beside a lazy import — one statement per place (`import get, post`);
// and removes imports the rewrite left unused. Which name to import is the analysis's decision
// (analysis/decide: never a name that is taken).
#pragma once

#include "analysis/sites.h"
#include "rewrite/edits.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_set>
#include <vector>

namespace poolify::rewrite {

/// A module-level import name the rewrite left unused: removed, or kept because other modules use it.
struct ImportChange {
  std::string name;        // the name the import binds in the module
  std::string rule;        // the rule of the rewritten site that relied on it
  uint32_t offset = 0;     // the import item binding it (the first one, when several do)
  std::string keptBecause; // "" when removed; else why it stays (another module uses it)
};

class ImportEditor {
public:
  ImportEditor(const py::Tree &tree, const py::ScopeModel &model, std::string_view eol);

  /// Module-level names other modules use (name -> why): their imports stay even when the rewrite
  /// leaves them unused here.
  void keep(std::map<std::string, std::string> names) { keep_ = std::move(names); }
  /// After finish(): the module-level import names the rewrite left unused, removed or kept.
  const std::vector<ImportChange> &moduleLevelChanges() const { return changes_; }

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
    bool mergeBefore;         // `name, ` before an existing name (its sorted place)
    bool inlineAfter;         // the anchor shares its line with a compound header or `;`: `; from ...`
    bool replacesAnchor;      // inline, and the anchor goes: `from ...; ` where the anchor was
    std::string indent;
    TSNode block;  // the block that receives it (null at module level)
    TSNode anchor; // the import statement the site relied on
  };

  // add() for one import statement of the library that binds the site's name.
  void addBeside(const analysis::Site &site, TSNode anchor, const std::string &module, const std::string &name);
  size_t topImportBlockEnd() const;
  std::string importedModule(TSNode stmt) const;
  bool mergeInto(const analysis::Site &site, const std::string &module, Planned &p) const;
  size_t moduleLevelOffset(const analysis::Site &site, TSNode anchor, const std::string &module) const;
  size_t groupOffset(size_t last, const std::string &module, const std::string &top) const;
  void emitPlanned(EditSet &edits) const;
  std::vector<const py::Binding *> unusedAnchors(const std::vector<const analysis::Site *> &rewritten,
                                                 const std::vector<TSNode> &vanishing);
  void removeImports(const std::vector<const py::Binding *> &bindings, const std::vector<Planned> &inserted,
                     EditSet &edits);
  static bool replacedByInsertion(TSNode stmt, const std::vector<Planned> &inserted);
  static bool becomesPass(TSNode stmt, const std::vector<TSNode> &whole, const std::vector<Planned> &inserted);

  void deleteLines(std::vector<std::pair<size_t, size_t>> lines, const std::vector<Planned> &inserted,
                   EditSet &edits) const;

  const py::Tree &tree_;
  const py::ScopeModel &model_;
  std::string eol_;
  std::map<std::string, std::string> keep_;
  std::vector<ImportChange> changes_;
  std::vector<Planned> planned_;
  std::set<std::tuple<uint32_t, std::string, std::string>> placed_; // (anchor, module, name) planned
  const std::vector<TSNode> &moduleStatements() const;
  mutable std::optional<std::vector<TSNode>> moduleStatements_;
  mutable std::optional<size_t> topBlockEnd_;
};

} // namespace poolify::rewrite

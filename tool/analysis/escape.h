// What this code does with the client (or session) a site creates, when that object would become
// the shared pooled one: closes it, configures it, or hands it out. Followed: the call itself, the
// names and `self` attributes it is assigned to, and simple aliases of them (`a = b`, `self.x = b`,
// `(a := b)`, also through `x or y` and `x if c else y`), in the function (or, for a module-level
// name, the module), and for `self.x` in every method of the class. Not followed: the object
// inside a container or another object (that is already handing it out), class attributes read as
// `self.x` / `Cls.x`, other modules importing a module-level name, `getattr` / `setattr` by string.
#pragma once

#include "analysis/sites.h"
#include "model/site.h"
#include "support/text.h"

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace poolify::analysis {

/// A file's references by name, made once per file (ObjectUses looks the names it follows up here).
class NameUses {
public:
  explicit NameUses(const py::ScopeModel &model);
  const std::vector<const py::Reference *> &of(std::string_view name) const;

private:
  std::unordered_map<std::string_view, std::vector<const py::Reference *>> byName_;
};

/// Every expression that denotes the object a site's call creates, in document order: the call
/// first, then every use of a name or `self` attribute that holds it.
class ObjectUses {
public:
  ObjectUses(const py::Tree &tree, const py::ScopeModel &model, const NameUses &names, const Site &site);
  const std::vector<TSNode> &uses() const { return uses_; }
  /// The names other modules may reach it through: a module-level name, a class attribute
  /// (`Cls.x`), an attribute of the instance (`self.x`), in the order they were found.
  const std::vector<model::Holder> &holders() const { return holders_; }

private:
  void follow(TSNode expr);
  void holdIn(TSNode target);
  void holdInName(TSNode target);
  void holdInSelfAttribute(TSNode target);
  void add(TSNode use);

  const py::Tree &tree_;
  const py::ScopeModel &model_;
  const NameUses &names_;
  std::vector<TSNode> uses_, pending_;
  std::vector<std::string> held_; // holders seen: "scope:name", "self:class-offset:attr"
  std::vector<model::Holder> holders_;
  void reachable(model::Holder h);
};

/// Why the object is closed by this code ("with statement", "contextlib.closing", ".close() at
/// line 12", "with statement at line 12"), or nullopt.
std::optional<std::string> closedBy(const py::Tree &tree, const py::ScopeModel &model, const Site &site,
                                    const ObjectUses &uses, const LineIndex &lines);

/// Why the object must not be shared because this code configures it: a use of one of `attributes`
/// (".headers at line 12"), or, when `assignments`, any assignment to (or `del` of) one of its
/// attributes (".default_query_job_config at line 12"); nullopt when it does not.
std::optional<std::string> configuredBy(const py::Tree &tree, const ObjectUses &uses,
                                        const std::vector<std::string> &attributes, bool assignments,
                                        const LineIndex &lines);

/// Why the object must not be shared because this code hands it out: "client is passed to
/// helper() at line 12", "client.close is passed to atexit.register() at line 3", "client is
/// returned at line 12", "... yielded ...", "client is stored in d["bq"] at line 12", "client is
/// stored in a container at line 12"; nullopt when it does not. Builtins that keep nothing
/// (isinstance, print, repr, ...) may be given it.
std::optional<std::string> escapedBy(const py::Tree &tree, const py::ScopeModel &model, const ObjectUses &uses,
                                     const LineIndex &lines);

} // namespace poolify::analysis

// Scopes, bindings and references of one Python module, following Python's rules:
// function, lambda and comprehension scopes nest; class bodies are not visible from the
// functions inside them; `global` / `nonlocal` redirect a name; `del` unbinds; `case` patterns
// bind their captures. Built in one iterative walk. Whether a name is bound at a given point (on
// every path) is python/flow.h's question.
#pragma once

#include "python/syntax.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace poolify::py {

enum class ScopeKind { Module, Function, Lambda, Class, Comprehension };

enum class BindingKind {
  Import, // import / from-import; `qname` holds the imported dotted name
  Parameter,
  Assignment,     // any other assignment target
  NoneAssignment, // `name = None` (an import fallback; does not change what the import binds)
  Definition,     // def / class
  Deletion,       // `del name`: unbinds it (and needs it bound: it is also a reference)
  Other           // loop, with, except targets, walrus, match captures, ...
};

struct Binding {
  BindingKind kind;
  std::string name;
  int scope;
  TSNode node;       // the identifier (or import item: dotted_name / aliased_import)
  TSNode statement;  // the enclosing statement
  std::string qname; // imports: "google.cloud.bigquery"; relative imports keep leading dots
  /// The scope whose code holds the binding: `scope` unless `global` / `nonlocal` sent it elsewhere
  /// (an import in a function that declares the name global binds at module level).
  int textualScope = 0;
  /// The condition of an `if` whose body holds the binding and never runs (`TYPE_CHECKING`,
  /// `typing.TYPE_CHECKING`, `False`): such a binding binds nothing at run time. Null otherwise.
  TSNode deadUnder{};
  /// True when the binding is made by code of a scope other than the one it binds in.
  bool remote() const { return textualScope != scope; }
};

struct Reference {
  std::string_view name;
  int scope;
  TSNode node;           // the identifier, or the string it was found in
  bool inString = false; // found in a string annotation or __all__
  bool inType = false;   // inside an annotation
};

struct Scope {
  ScopeKind kind;
  int parent;
  TSNode node; // module, function_definition, lambda, class_definition, comprehension
  std::map<std::string, std::vector<int>, std::less<>> bindings; // name -> binding indices
  std::set<std::string, std::less<>> globals, nonlocals;
};

class ScopeModel {
public:
  explicit ScopeModel(const Tree &tree);

  const std::vector<Scope> &scopes() const { return scopes_; }
  const std::vector<Binding> &bindings() const { return bindings_; }
  const std::vector<Reference> &references() const { return references_; }
  /// String literals outside annotations (candidates for `mock.patch("pkg.Client")` targets).
  const std::vector<TSNode> &strings() const { return strings_; }
  /// The node each of strings() was found under (its parent), in the same order.
  const std::vector<TSNode> &stringParents() const { return stringParents_; }
  /// Comments, in no particular order.
  const std::vector<TSNode> &comments() const { return comments_; }

  /// The scope whose binding `name` refers to when used in `scope`; -1 for builtins/unbound.
  int resolve(std::string_view name, int scope) const;
  /// Bindings of `name` in `scope` (empty when none).
  std::vector<const Binding *> bindingsIn(int scope, std::string_view name) const;
  /// The dotted name an identifier refers to when every binding of it is an import of
  /// the same target (fallback `= None` assignments and `del` aside); nullopt otherwise. The
  /// anchor is the import a rewrite places its own import beside: the first that runs and is made
  /// by the scope's own code, else the first that runs, else the first.
  std::optional<std::string> importTarget(std::string_view name, int scope, const Binding **anchor = nullptr) const;
  /// The dotted name of `expr` (identifier or attribute chain) through imports.
  std::optional<std::string> qualify(TSNode expr, int scope, const Binding **anchor = nullptr) const;
  /// The innermost scope containing the byte offset.
  int scopeAt(uint32_t offset) const;
  /// The innermost function scope at or enclosing `scope` (-1 when at module level).
  int enclosingFunction(int scope) const;

private:
  const Tree &tree_;
  std::vector<Scope> scopes_;
  std::vector<Binding> bindings_;
  std::vector<Reference> references_;
  std::vector<TSNode> strings_, stringParents_;
  std::vector<TSNode> comments_;
  friend class ScopeBuilder;
};

} // namespace poolify::py

// What a module defines at module level, as far as the text says, and whether a call of one of its
// functions binds to its parameters as Python binds them. poolify reads the pool modules of the
// tree with it: a rewrite must not call a function the pool does not define, or call it with
// arguments its signature refuses (the migrated code would raise ImportError or TypeError).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace poolify::py {

struct Parameter {
  enum class Kind { PositionalOnly, Normal, VarPositional, KeywordOnly, VarKeyword };
  std::string name;
  Kind kind = Kind::Normal;
  bool hasDefault = false;
};

/// One module-level name of a module.
struct ModuleBinding {
  /// Function: bound once, unconditionally, by a `def` (its signature known: decorators that keep
  /// it, such as functools.lru_cache, aside). Other: bound some other way (an import, an assignment,
  /// a class, a decorator, under an `if`/`try`, more than once), so the signature is not known.
  enum class Kind { Function, Other };
  Kind kind = Kind::Other;
  bool async = false; // `async def`
  unsigned line = 0;  // of the def (1-based)
  std::vector<Parameter> parameters;
  std::string text; // the parameter list as written, whitespace collapsed: "(url, **kwargs)"
};

struct ModuleFunctions {
  std::map<std::string, ModuleBinding> names;
  /// The module may bind names this reading does not see: a star import, a module-level
  /// __getattr__, `globals()`, or a syntax error. A name not found is then not known to be missing.
  bool open = false;
};

/// Reads the module-level bindings of a module's text.
ModuleFunctions readModuleFunctions(std::string_view text);

/// A call as the rewrite writes it: how many positional arguments, which keywords.
struct CallShape {
  size_t positional = 0;
  std::vector<std::string> keywords;
};

/// Why calling a function of `signature` with `call` raises TypeError, in Python's words
/// ("got an unexpected keyword argument 'database'", "takes 1 positional argument but 2 were
/// given", "missing 1 required argument: 'project_id'", "got multiple values for argument 'url'"),
/// or nullopt when the arguments bind.
std::optional<std::string> bindProblem(const std::vector<Parameter> &signature, const CallShape &call);

} // namespace poolify::py

#include "python/signatures.h"

#include "python/nodes.h"
#include "python/syntax.h"

#include <fmt/format.h>

#include <algorithm>

namespace poolify::py {

namespace {

class Reader {
public:
  explicit Reader(const Tree &tree) : tree_(tree), nodes_(tree.nodes()) {}

  ModuleFunctions read() {
    out_.open = tree_.firstError().has_value();
    forEachChild(tree_.root(), [&](TSNode statement, std::string_view) { topLevel(statement); });
    // A `global NAME` in a function binds the module's NAME when the function runs; `globals()`
    // may bind any.
    nodes_.forEachNamed(0, [&](TSNode n) {
      if (is(n, "global_statement"))
        forEachChild(n, [&](TSNode name, std::string_view) { other(tree_.text(name)); });
      if (is(n, "call")) {
        TSNode f = field(n, "function");
        if (is(f, "identifier") && tree_.text(f) == "globals")
          out_.open = true;
      }
      return true;
    });
    return std::move(out_);
  }

private:
  void topLevel(TSNode statement) {
    TSNode definition = statement;
    bool keeps = true; // the decorators (if any) keep the function's signature
    if (is(statement, "decorated_definition")) {
      definition = field(statement, "definition");
      forEachChild(statement, [&](TSNode d, std::string_view) {
        if (is(d, "decorator"))
          keeps = keeps && keepsSignature(d);
      });
    }
    if (is(definition, "function_definition") && keeps) {
      function(definition);
      return;
    }
    bindingsIn(statement);
  }

  // functools.lru_cache / functools.cache (called or not) wrap a function and take its arguments.
  bool keepsSignature(TSNode decorator) const {
    TSNode e = ts_node_named_child(decorator, 0);
    if (is(e, "call"))
      e = field(e, "function");
    std::string_view t = tree_.text(e);
    return t == "lru_cache" || t == "functools.lru_cache" || t == "cache" || t == "functools.cache";
  }

  void function(TSNode def) {
    std::string name(tree_.text(field(def, "name")));
    if (name == "__getattr__")
      out_.open = true;
    if (out_.names.count(name)) { // bound before: which binding a caller meets is not read here
      other(name);
      return;
    }
    ModuleBinding b;
    b.kind = ModuleBinding::Kind::Function;
    b.async = ts_node_child_count(def) > 0 && type(ts_node_child(def, 0)) == "async";
    b.line = ts_node_start_point(def).row + 1;
    TSNode params = field(def, "parameters");
    bool space = false; // a run of whitespace becomes one space
    for (char c : tree_.text(params)) {
      if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
        space = !b.text.empty();
        continue;
      }
      if (space)
        b.text += ' ';
      space = false;
      b.text += c;
    }
    if (!parameters(params, b.parameters))
      b.kind = ModuleBinding::Kind::Other;
    out_.names[name] = std::move(b);
  }

  // False when a parameter has a form the binding check does not know (a Python 2 tuple).
  bool parameters(TSNode params, std::vector<Parameter> &out) const {
    using K = Parameter::Kind;
    bool keywordOnly = false, known = true;
    forEachChild(params, [&](TSNode p, std::string_view) {
      Parameter param;
      TSNode name = p;
      if (is(p, "default_parameter") || is(p, "typed_default_parameter")) {
        name = field(p, "name");
        param.hasDefault = true;
      } else if (is(p, "typed_parameter")) {
        name = ts_node_named_child(p, 0);
      }
      if (is(p, "keyword_separator")) {
        keywordOnly = true;
        return;
      }
      if (is(p, "positional_separator")) {
        for (auto &q : out)
          if (q.kind == K::Normal)
            q.kind = K::PositionalOnly;
        return;
      }
      if (is(name, "list_splat_pattern")) {
        param.kind = K::VarPositional;
        keywordOnly = true;
        name = ts_node_named_child(name, 0);
      } else if (is(name, "dictionary_splat_pattern")) {
        param.kind = K::VarKeyword;
        name = ts_node_named_child(name, 0);
      } else if (!is(name, "identifier")) {
        known = false;
        return;
      } else if (keywordOnly) {
        param.kind = K::KeywordOnly;
      }
      param.name = std::string(tree_.text(name));
      out.push_back(std::move(param));
    });
    return known;
  }

  void other(std::string_view name) {
    ModuleBinding &b = out_.names[std::string(name)];
    b = ModuleBinding{};
  }

  // Every name a statement binds (not counting the bodies of the functions and classes it
  // defines): imports, assignment targets, loop and `with`/`except` targets, walruses, deletes.
  void bindingsIn(TSNode statement) {
    uint32_t at = nodes_.find(statement);
    if (at == Nodes::kNone)
      return;
    nodes_.forEachNamed(at, [&](TSNode n) {
      if (is(n, "function_definition") || is(n, "class_definition")) {
        other(tree_.text(field(n, "name")));
        return false;
      }
      if (is(n, "import_statement") || is(n, "import_from_statement")) {
        imported(n);
        return false;
      }
      if (is(n, "assignment") || is(n, "augmented_assignment") || is(n, "for_statement") || is(n, "for_in_clause"))
        targets(field(n, "left"));
      else if (is(n, "as_pattern"))
        targets(field(n, "alias"));
      else if (is(n, "named_expression"))
        targets(field(n, "name"));
      else if (is(n, "delete_statement"))
        targets(n);
      return true;
    });
  }

  void imported(TSNode import) {
    forEachChild(import, [&](TSNode c, std::string_view fieldName) {
      if (is(c, "wildcard_import"))
        out_.open = true;
      if (fieldName != "name")
        return;
      if (is(c, "aliased_import")) {
        other(tree_.text(field(c, "alias")));
      } else {
        std::string_view t = tree_.text(c);
        other(is(import, "import_statement") ? t.substr(0, t.find('.')) : t);
      }
    });
  }

  // The names a target binds: its identifiers, but not those of an attribute or a subscript.
  void targets(TSNode target) {
    uint32_t at = nodes_.find(target);
    if (at == Nodes::kNone)
      return;
    nodes_.forEachNamed(at, [&](TSNode n) {
      if (is(n, "attribute") || is(n, "subscript"))
        return false;
      if (is(n, "identifier"))
        other(tree_.text(n));
      return true;
    });
  }

  const Tree &tree_;
  const Nodes &nodes_;
  ModuleFunctions out_;
};

std::string quotedList(const std::vector<std::string> &names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i)
    out += fmt::format("{}'{}'",
                       i == 0                  ? ""
                       : i + 1 == names.size() ? (names.size() > 2 ? ", and " : " and ")
                                               : ", ",
                       names[i]);
  return out;
}

} // namespace

ModuleFunctions readModuleFunctions(std::string_view text) {
  Tree tree = Tree::parse(text);
  return Reader(tree).read();
}

std::optional<std::string> bindProblem(const std::vector<Parameter> &signature, const CallShape &call) {
  using K = Parameter::Kind;
  size_t positional = 0, required = 0;
  bool varPositional = false, varKeyword = false;
  for (const auto &p : signature) {
    if (p.kind == K::PositionalOnly || p.kind == K::Normal) {
      ++positional;
      required += p.hasDefault ? 0 : 1;
    }
    varPositional = varPositional || p.kind == K::VarPositional;
    varKeyword = varKeyword || p.kind == K::VarKeyword;
  }
  if (call.positional > positional && !varPositional) {
    std::string takes =
        required == positional ? fmt::format("{}", positional) : fmt::format("from {} to {}", required, positional);
    return fmt::format("takes {} positional argument{} but {} {} given", takes, positional == 1 ? "" : "s",
                       call.positional, call.positional == 1 ? "was" : "were");
  }
  std::vector<bool> filled(signature.size(), false);
  for (size_t i = 0, n = 0; i < signature.size() && n < call.positional; ++i)
    if (signature[i].kind == K::PositionalOnly || signature[i].kind == K::Normal) {
      filled[i] = true;
      ++n;
    }
  for (const auto &k : call.keywords) {
    auto p = std::find_if(signature.begin(), signature.end(), [&](const Parameter &q) {
      return q.name == k && (q.kind == K::Normal || q.kind == K::KeywordOnly);
    });
    if (p != signature.end()) {
      size_t i = static_cast<size_t>(p - signature.begin());
      if (filled[i])
        return fmt::format("got multiple values for argument '{}'", k);
      filled[i] = true;
      continue;
    }
    if (varKeyword)
      continue;
    bool positionalOnly = std::any_of(signature.begin(), signature.end(),
                                      [&](const Parameter &q) { return q.name == k && q.kind == K::PositionalOnly; });
    if (positionalOnly)
      return fmt::format("got some positional-only arguments passed as keyword arguments: '{}'", k);
    return fmt::format("got an unexpected keyword argument '{}'", k);
  }
  std::vector<std::string> missingPositional, missingKeyword;
  for (size_t i = 0; i < signature.size(); ++i) {
    const Parameter &p = signature[i];
    if (filled[i] || p.hasDefault || p.kind == K::VarPositional || p.kind == K::VarKeyword)
      continue;
    (p.kind == K::KeywordOnly ? missingKeyword : missingPositional).push_back(p.name);
  }
  for (const auto *missing : {&missingPositional, &missingKeyword})
    if (!missing->empty())
      return fmt::format("missing {} required {} argument{}: {}", missing->size(),
                         missing == &missingPositional ? "positional" : "keyword-only", missing->size() == 1 ? "" : "s",
                         quotedList(*missing));
  return std::nullopt;
}

} // namespace poolify::py

#include "rewrite/patches.h"

#include "python/walk.h"
#include "support/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace poolify::rewrite {

using py::is;

namespace {

// The text of a plain string literal (no f-string interpolation), else nullopt.
std::optional<std::string> contentOf(const py::Tree &tree, TSNode str) {
  if (!is(str, "string"))
    return std::nullopt;
  std::string content;
  for (TSNode c : py::namedChildren(str)) {
    if (is(c, "interpolation"))
      return std::nullopt;
    if (is(c, "string_content"))
      content += tree.text(c);
  }
  return content;
}

bool endsWithComponent(std::string_view fn, std::string_view s) {
  return fn.size() >= s.size() && fn.substr(fn.size() - s.size()) == s &&
         (fn.size() == s.size() || fn[fn.size() - s.size() - 1] == '.');
}

// `mocker.patch`, `monkeypatch.setattr`: the fixture's name (a parameter, not an import) and a method.
bool fixtureCall(const py::Tree &tree, const py::ScopeModel &model, TSNode fn, std::string_view fixture,
                 std::string_view method) {
  if (!is(fn, "attribute"))
    return false;
  TSNode obj = py::field(fn, "object");
  TSNode attr = py::field(fn, "attribute");
  return is(obj, "identifier") && tree.text(obj) == fixture && tree.text(attr) == method &&
         !model.qualify(obj, model.scopeAt(py::start(obj)));
}

} // namespace

namespace {

// The patch call `call` (with argument list `args`) whose argument `arg` names the target, or
// the object form's attribute, as `content` says; nullopt when it is no patch call.
std::optional<PatchCall> patchCallOf(const py::Tree &tree, const py::ScopeModel &model, TSNode call, TSNode args,
                                     TSNode arg, const std::string &content) {
  TSNode fnNode = py::field(call, "function");
  std::string_view fn = tree.text(fnNode);
  std::vector<TSNode> argv;
  for (TSNode c : py::namedChildren(args))
    if (!is(c, "comment"))
      argv.push_back(c);
  auto at = [&](size_t i) { return i < argv.size() && py::same(argv[i], arg); };
  // Through the imports only for calls that may be patches (qualify finds the scope by a scan: not
  // once per string of a large module).
  auto mockImported = [&] {
    TSNode head = fnNode;
    while (is(head, "attribute"))
      head = py::field(head, "object");
    if (!is(head, "identifier"))
      return false;
    for (const py::Binding *b : model.bindingsIn(0, tree.text(head)))
      if (b->kind == py::BindingKind::Import && b->qname.find("mock") != std::string::npos)
        return true;
    return false;
  };
  std::optional<std::optional<std::string>> qualified;
  auto qualifiedIs = [&](std::string_view suffix) {
    if (!qualified)
      qualified = model.qualify(fnNode, model.scopeAt(py::start(fnNode)));
    const std::optional<std::string> &q = *qualified;
    return q && (*q == fmt::format("unittest.mock.{}", suffix) || *q == fmt::format("mock.{}", suffix));
  };
  bool dotted = std::count(content.begin(), content.end(), '.') >= 1 && content.find(' ') == std::string::npos;
  PatchCall p;
  p.call = call;
  p.str = arg;
  if (at(0) && dotted && (endsWithComponent(fn, "patch") || (mockImported() && qualifiedIs("patch")))) {
    p.form = PatchCall::Form::Patch;
    p.target = content;
    p.recognised =
        qualifiedIs("patch") || (fn == "mocker.patch" && fixtureCall(tree, model, fnNode, "mocker", "patch"));
  } else if (at(0) && fn == "monkeypatch.setattr" && dotted) {
    p.form = PatchCall::Form::SetattrString;
    p.target = content;
    p.recognised = fixtureCall(tree, model, fnNode, "monkeypatch", "setattr");
  } else if (at(1) && (endsWithComponent(fn, "patch.object") ||
                       (endsWithComponent(fn, "object") && mockImported() && qualifiedIs("patch.object")) ||
                       fn == "monkeypatch.setattr")) {
    bool setattr = fn == "monkeypatch.setattr";
    p.form = setattr ? PatchCall::Form::SetattrObject : PatchCall::Form::PatchObject;
    p.object = argv[0];
    auto target = model.qualify(p.object, model.scopeAt(py::start(p.object)));
    if (!target)
      return std::nullopt;
    p.target = *target + "." + content;
    p.recognised = setattr ? fixtureCall(tree, model, fnNode, "monkeypatch", "setattr")
                           : qualifiedIs("patch.object") ||
                                 (fn == "mocker.patch.object" &&
                                  fixtureCall(tree, model, py::field(fnNode, "object"), "mocker", "patch"));
  } else {
    return std::nullopt;
  }
  return p;
}

// Module-level constants bound once, to a plain string: `PATCH_TARGET = "pkg.mod.bigquery.Client"`.
std::map<std::string, std::string, std::less<>> stringConstants(const py::Tree &tree, const py::ScopeModel &model) {
  std::map<std::string, std::string, std::less<>> out;
  for (const auto &b : model.bindings()) {
    if (b.scope != 0 || b.kind != py::BindingKind::Assignment || model.bindingsIn(0, b.name).size() != 1)
      continue;
    TSNode assignment = ts_node_parent(b.node);
    if (!is(assignment, "assignment") || !py::same(py::field(assignment, "left"), b.node))
      continue;
    if (auto content = contentOf(tree, py::field(assignment, "right")))
      out[b.name] = *content;
  }
  return out;
}

} // namespace

std::vector<PatchCall> findPatchCalls(const py::Tree &tree, const py::ScopeModel &model) {
  std::vector<PatchCall> out;
  // Every form names `patch` or `setattr` somewhere in the file (the call, or the import an alias
  // comes from): a file that names neither has none.
  if (tree.text().find("patch") == std::string_view::npos && tree.text().find("setattr") == std::string_view::npos)
    return out;
  const auto &strings = model.strings();
  for (size_t si = 0; si < strings.size(); ++si) {
    TSNode str = strings[si];
    TSNode args = model.stringParents()[si];
    if (!is(args, "argument_list"))
      continue;
    if (auto content = contentOf(tree, str))
      if (auto p = patchCallOf(tree, model, ts_node_parent(args), args, str, *content))
        out.push_back(std::move(*p));
  }
  // `mock.patch(PATCH_TARGET)`: the target is the value of a module-level constant.
  auto constants = stringConstants(tree, model);
  for (const auto &r : model.references()) {
    auto c = constants.find(r.name);
    if (c == constants.end() || r.inString)
      continue;
    TSNode args = ts_node_parent(r.node);
    if (!is(args, "argument_list") || model.resolve(r.name, r.scope) != 0)
      continue;
    if (auto p = patchCallOf(tree, model, ts_node_parent(args), args, r.node, c->second)) {
      p->constant = c->first;
      out.push_back(std::move(*p));
    }
  }
  std::sort(out.begin(), out.end(), [](const PatchCall &a, const PatchCall &b) { return a.offset() < b.offset(); });
  return out;
}

std::vector<uint32_t> findComputedTargets(const py::Tree &tree, const py::ScopeModel &model) {
  std::vector<uint32_t> out;
  if (tree.text().find("patch") == std::string_view::npos && tree.text().find("setattr") == std::string_view::npos)
    return out;
  for (TSNode str : model.strings()) {
    bool interpolated = false;
    for (TSNode c : py::namedChildren(str))
      interpolated = interpolated || is(c, "interpolation");
    // Up through `+`, parentheses and `"...".format(...)` to the argument it builds.
    TSNode arg = str;
    bool built = interpolated;
    for (TSNode up = ts_node_parent(arg); !ts_node_is_null(up); up = ts_node_parent(arg)) {
      if (is(up, "binary_operator") || is(up, "parenthesized_expression")) {
        arg = up;
      } else if (is(up, "attribute") && is(ts_node_parent(up), "call") &&
                 tree.text(py::field(up, "attribute")) == "format") {
        arg = ts_node_parent(up);
      } else {
        break;
      }
      built = true;
    }
    TSNode args = ts_node_parent(arg);
    if (!built || !is(args, "argument_list") || !py::same(ts_node_named_child(args, 0), arg))
      continue;
    std::string_view fn = tree.text(py::field(ts_node_parent(args), "function"));
    if (endsWithComponent(fn, "patch") || endsWithComponent(fn, "setattr"))
      out.push_back(py::start(arg));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<IndirectTarget> findIndirectTargets(const py::Tree &tree, const py::ScopeModel &model,
                                                const std::vector<PatchCall> &calls) {
  std::vector<IndirectTarget> out;
  if (tree.text().find("patch") == std::string_view::npos && tree.text().find("setattr") == std::string_view::npos)
    return out;
  std::set<std::string_view> constants; // module-level names whose value a patch call found takes
  std::set<uint32_t> at;
  for (const auto &c : calls) {
    if (!c.constant.empty())
      constants.insert(c.constant);
    at.insert(py::start(c.str));
  }
  // patch.object(target=obj, attribute="get"): the object's dotted text and the attribute.
  auto keywordObjectTarget = [&](TSNode keyword, const std::string &attribute) -> std::string {
    if (!is(keyword, "keyword_argument") || tree.text(py::field(keyword, "name")) != "attribute")
      return "";
    for (TSNode c : py::namedChildren(ts_node_parent(keyword)))
      if (is(c, "keyword_argument") && tree.text(py::field(c, "name")) == "target") {
        TSNode value = py::field(c, "value");
        if (is(value, "identifier") || is(value, "attribute"))
          return std::string(tree.text(value)) + "." + attribute;
      }
    return "";
  };
  auto dotted = [](const std::string &s) {
    if (s.empty() || s.find('.') == std::string::npos || s.front() == '.' || s.back() == '.' ||
        s.find("..") != std::string::npos)
      return false;
    return std::all_of(s.begin(), s.end(),
                       [](char ch) {
                         return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.' || (ch & 0x80);
                       }) &&
           !std::isdigit(static_cast<unsigned char>(s.front()));
  };
  const auto &strings = model.strings();
  for (size_t si = 0; si < strings.size(); ++si) {
    TSNode str = strings[si];
    TSNode parent = model.stringParents()[si];
    if (at.count(py::start(str)) || is(parent, "expression_statement")) // a patch's own target; a docstring
      continue;
    if (is(parent, "assignment") && constants.count(tree.text(py::field(parent, "left"))))
      continue; // PATCH_TARGET = "...": found with the patch that takes it
    auto content = contentOf(tree, str);
    if (!content)
      continue;
    std::string target = keywordObjectTarget(parent, *content);
    if (!target.empty() || dotted(*content))
      out.push_back({py::start(str), target.empty() ? *content : target});
  }
  // patch.multiple("pkg.mod", Client=DEFAULT), patch.multiple(pkg.mod.requests, get=DEFAULT): each
  // keyword names an attribute of the target, a dotted string or a dotted name.
  std::string_view text = tree.text();
  for (size_t hit = text.find("multiple"); hit != std::string_view::npos; hit = text.find("multiple", hit + 1)) {
    TSNode name =
        ts_node_descendant_for_byte_range(tree.root(), static_cast<uint32_t>(hit), static_cast<uint32_t>(hit + 8));
    TSNode function = ts_node_parent(name);
    TSNode call = ts_node_parent(function);
    if (!is(name, "identifier") || !is(function, "attribute") || !is(call, "call") ||
        !py::same(py::field(call, "function"), function))
      continue;
    TSNode args = py::field(call, "arguments");
    TSNode first = ts_node_named_child_count(args) ? ts_node_named_child(args, 0) : TSNode{};
    std::string target;
    if (auto content = is(first, "string") ? contentOf(tree, first) : std::nullopt)
      target = *content;
    else if (is(first, "identifier") || is(first, "attribute"))
      target = tree.text(first);
    if (target.empty() || !dotted(target + ".x"))
      continue;
    for (TSNode c : py::namedChildren(args))
      if (is(c, "keyword_argument")) {
        std::string_view kw = tree.text(py::field(c, "name"));
        if (kw != "spec" && kw != "spec_set" && kw != "create" && kw != "new_callable" && kw != "autospec")
          out.push_back({py::start(first), target + "." + std::string(kw)});
      }
  }
  return out;
}

namespace {

const char *kAssertWith[] = {"assert_called_once_with", "assert_called_with", "assert_any_call"};
const char *kReadsCalls[] = {"call_args", "call_args_list", "mock_calls", "await_args", "await_args_list"};

// The mock a patch call creates, when a name binds it: the decorated function's parameter, the
// `with ... as m` target, `m = mocker.patch(...)`. `where` is what to search for its uses.
struct MockName {
  std::string name;
  TSNode where{};
  bool none = false; // the patch creates no mock that anything can reach (`new=` given, or `with` without `as`)
  /// `name` holds the patcher (`p = mock.patch(...)`), not the mock: the mock is what `p.start()`
  /// returns or `with p as m` binds (pytest-mock's `mocker.patch(...)` returns the mock itself).
  bool patcher = false;
};

bool createsMock(const PatchCall &p, const py::Tree &tree) {
  if (p.form == PatchCall::Form::SetattrString || p.form == PatchCall::Form::SetattrObject)
    return false;
  size_t positional = 0;
  bool hasNew = false;
  for (TSNode c : py::namedChildren(py::field(p.call, "arguments"))) {
    if (is(c, "keyword_argument"))
      hasNew = hasNew || tree.text(py::field(c, "name")) == "new";
    else if (!is(c, "comment"))
      ++positional;
  }
  return !hasNew && positional < (p.form == PatchCall::Form::Patch ? 2u : 3u);
}

// Where a name bound at `n` is used: the body of the enclosing function, else the module.
TSNode scopeOf(TSNode n) {
  for (TSNode p = ts_node_parent(n); !ts_node_is_null(p); p = ts_node_parent(p))
    if (is(p, "function_definition"))
      return py::field(p, "body");
    else if (is(p, "module"))
      return p;
  return n;
}

std::optional<MockName> mockNameOf(const PatchCall &p, const std::vector<PatchCall> &all, const py::Tree &tree) {
  MockName m;
  if (!createsMock(p, tree)) {
    m.none = true;
    return m;
  }
  TSNode parent = ts_node_parent(p.call);
  if (is(parent, "decorator")) {
    TSNode decorated = ts_node_parent(parent);
    TSNode def = py::field(decorated, "definition");
    if (!is(def, "function_definition"))
      return std::nullopt;
    // Decorators apply bottom-up: the lowest patch gives the first mock argument.
    std::vector<TSNode> decorators;
    for (TSNode d : py::namedChildren(decorated))
      if (is(d, "decorator"))
        decorators.push_back(d);
    size_t index = 0;
    bool found = false;
    for (auto it = decorators.rbegin(); it != decorators.rend(); ++it) {
      TSNode c = ts_node_named_child(*it, 0);
      if (py::same(c, p.call)) {
        found = true;
        break;
      }
      auto other = std::find_if(all.begin(), all.end(), [&](const PatchCall &q) { return py::same(q.call, c); });
      if (other == all.end()) {
        std::string_view fn = is(c, "call") ? tree.text(py::field(c, "function")) : std::string_view();
        if (endsWithComponent(fn, "patch") || endsWithComponent(fn, "object") || endsWithComponent(fn, "multiple"))
          return std::nullopt; // a patch decorator poolify does not follow: the order is unknown
        continue;
      }
      index += createsMock(*other, tree);
    }
    if (!found)
      return std::nullopt;
    std::vector<std::string> params;
    for (TSNode prm : py::namedChildren(py::field(def, "parameters"))) {
      TSNode name = is(prm, "typed_parameter") ? ts_node_named_child(prm, 0) : prm; // `m: mock.MagicMock`
      if (!is(name, "identifier"))
        break; // defaults, *args: the mocks come before them
      params.emplace_back(tree.text(name));
    }
    TSNode container = ts_node_parent(decorated);
    bool method = is(container, "block") && is(ts_node_parent(container), "class_definition");
    index += method;
    if (index >= params.size())
      return std::nullopt;
    m.name = params[index];
    m.where = py::field(def, "body");
    return m;
  }
  if (is(parent, "as_pattern")) {
    TSNode alias = py::field(parent, "alias");
    TSNode name = is(alias, "as_pattern_target") ? ts_node_named_child(alias, 0) : alias;
    if (!is(name, "identifier"))
      return std::nullopt;
    m.name = std::string(tree.text(name));
    m.where = scopeOf(parent); // the mock outlives the `with` block: assertions often follow it
    return m;
  }
  if (is(parent, "with_item")) {
    m.none = true;
    return m;
  }
  if (is(parent, "assignment") && py::same(py::field(parent, "right"), p.call)) {
    TSNode left = py::field(parent, "left");
    if (!is(left, "identifier"))
      return std::nullopt;
    m.name = std::string(tree.text(left));
    m.where = scopeOf(parent);
    m.patcher = tree.text(py::field(p.call, "function")).substr(0, 7) != "mocker.";
    return m;
  }
  if (is(parent, "expression_statement")) { // patched, never looked at
    m.none = true;
    return m;
  }
  return std::nullopt;
}

// The rule's rewrite of `callable`.
const rules::Rewrite *rewriteOf(const std::vector<rules::Rule> &rules, const std::string &ruleId,
                                const std::string &callable) {
  for (const auto &r : rules)
    if (r.id == ruleId)
      for (const auto &rw : r.rewrites)
        if (std::find(rw.match.begin(), rw.match.end(), callable) != rw.match.end())
          return &rw;
  return nullptr;
}

// The rewrite keeps every argument as it is.
bool identity(const rules::Rewrite &rw) {
  if (rw.passThrough)
    return true;
  return std::all_of(rw.arguments.begin(), rw.arguments.end(),
                     [](const rules::ArgumentMap &a) { return a.from == a.to && !a.position; });
}

// The edits that give an assertion call the pooled call's keywords; "" or why it cannot.
std::string mapArguments(const py::Tree &tree, TSNode call, const rules::Rewrite &rw, const std::string &pooled,
                         EditSet &edits) {
  if (rw.passThrough)
    return "";
  EditSet mine;
  size_t position = 0;
  for (TSNode c : py::namedChildren(py::field(call, "arguments"))) {
    if (is(c, "comment"))
      continue;
    if (is(c, "list_splat") || is(c, "dictionary_splat"))
      return "its arguments are unpacked";
    if (is(c, "keyword_argument")) {
      TSNode name = py::field(c, "name");
      std::string_view kw = tree.text(name);
      auto it = std::find_if(rw.arguments.begin(), rw.arguments.end(),
                             [&](const rules::ArgumentMap &a) { return a.from == kw; });
      if (it == rw.arguments.end())
        return fmt::format("it names {}=, which {} does not take", kw, pooled);
      if (it->to != it->from)
        mine.replace(py::start(name), py::end(name) - py::start(name), it->to);
      continue;
    }
    ++position;
    auto it = std::find_if(rw.arguments.begin(), rw.arguments.end(),
                           [&](const rules::ArgumentMap &a) { return a.position == position; });
    if (it == rw.arguments.end())
      return fmt::format("its positional argument {} has no keyword in the rule's mapping", position);
    mine.insert(py::start(c), it->to + "=");
  }
  edits.append(mine);
  return "";
}

// Rewrites the assertions on mock `m` (of pooled callable `pooled`); the reasons for a hand fix.
std::vector<std::string> rewriteAssertions(const py::Tree &tree, const MockName &m, const rules::Rewrite &rw,
                                           const std::string &pooled, bool inferred, EditSet &edits) {
  std::vector<std::string> problems;
  LineIndex lines(tree.text());
  auto problem = [&](TSNode at, const std::string &what) {
    problems.push_back(fmt::format("line {}: {}", lines.lineOf(py::start(at)), what));
  };
  bool same = identity(rw) && !inferred;
  py::forEachNamed(m.where, [&](TSNode n) {
    if (!is(n, "attribute"))
      return true;
    TSNode obj = py::field(n, "object");
    if (!is(obj, "identifier") || tree.text(obj) != m.name)
      return true;
    std::string_view attr = tree.text(py::field(n, "attribute"));
    TSNode call = ts_node_parent(n);
    bool called = is(call, "call") && py::same(py::field(call, "function"), n);
    if (std::find(std::begin(kReadsCalls), std::end(kReadsCalls), attr) != std::end(kReadsCalls)) {
      if (!same)
        problem(n, fmt::format("{}.{} reads the arguments, which are {}'s now", m.name, attr, pooled));
      return true;
    }
    if (!called || same)
      return true;
    if (std::find(std::begin(kAssertWith), std::end(kAssertWith), attr) != std::end(kAssertWith)) {
      if (inferred)
        problem(n, fmt::format("{}.{}: the pooled call also passes arguments taken from scope", m.name, attr));
      else if (auto why = mapArguments(tree, call, rw, pooled, edits); !why.empty())
        problem(n, fmt::format("{}.{}(...): {}", m.name, attr, why));
    } else if (attr == "assert_has_calls") {
      if (inferred) {
        problem(n, fmt::format("{}.{}: the pooled call also passes arguments taken from scope", m.name, attr));
        return true;
      }
      py::forEachNamed(py::field(call, "arguments"), [&](TSNode c) {
        if (!is(c, "call"))
          return true;
        std::string_view fn = tree.text(py::field(c, "function"));
        if (fn != "call" && !endsWithComponent(fn, "call"))
          return true;
        if (auto why = mapArguments(tree, c, rw, pooled, edits); !why.empty())
          problem(c, fmt::format("{}.{}: call(...): {}", m.name, attr, why));
        return false;
      });
    }
    return true;
  });
  return problems;
}

// The identifier `n` binds its name (an assignment's target, `as` target, loop variable) rather
// than reads it.
bool rebinds(TSNode n) {
  TSNode parent = ts_node_parent(n);
  while (is(parent, "pattern_list") || is(parent, "tuple_pattern") || is(parent, "list_pattern")) {
    n = parent;
    parent = ts_node_parent(n);
  }
  std::string_view field = py::fieldOf(n);
  return ((is(parent, "assignment") || is(parent, "augmented_assignment") || is(parent, "for_statement") ||
           is(parent, "for_in_clause")) &&
          field == "left") ||
         is(parent, "as_pattern_target") || (is(parent, "as_pattern") && field == "alias");
}

// Calls f(n) for each identifier of `m.where` that reads the name `m.name`.
template <typename F> void forEachRead(const py::Tree &tree, const MockName &m, F &&f) {
  py::forEachNamed(m.where, [&](TSNode n) {
    if (!is(n, "identifier") || tree.text(n) != m.name)
      return true;
    TSNode parent = ts_node_parent(n);
    std::string_view field = py::fieldOf(n);
    if ((is(parent, "attribute") && field == "attribute") || (is(parent, "keyword_argument") && field == "name") ||
        rebinds(n))
      return true;
    f(n);
    return true;
  });
}

// Where the value `v` goes, said after "is": "passed to f(...)", "stored in self.x", ...
std::string whereItGoes(const py::Tree &tree, TSNode v) {
  TSNode parent = ts_node_parent(v);
  while (is(parent, "parenthesized_expression")) {
    v = parent;
    parent = ts_node_parent(v);
  }
  if (is(parent, "keyword_argument")) {
    v = parent;
    parent = ts_node_parent(v);
  }
  if (is(parent, "argument_list") && is(ts_node_parent(parent), "call"))
    return fmt::format("passed to {}(...)", tree.text(py::field(ts_node_parent(parent), "function")));
  if ((is(parent, "assignment") || is(parent, "augmented_assignment")) && py::fieldOf(v) == "right") {
    TSNode left = py::field(parent, "left");
    if (is(left, "identifier"))
      return fmt::format("bound to {} as well", tree.text(left));
    return fmt::format("stored in {}", tree.text(left));
  }
  if (is(parent, "return_statement"))
    return "returned";
  if (is(parent, "yield"))
    return "yielded";
  if (is(parent, "list") || is(parent, "tuple") || is(parent, "set") || is(parent, "pair") ||
      is(parent, "expression_list") || is(parent, "dictionary"))
    return "put in a container";
  if (is(parent, "lambda"))
    return "captured by a lambda";
  return fmt::format("used as a value ({})", py::type(parent));
}

// The nested function or lambda between `n` and `where` that captures it: "" when none.
std::string capturedBy(const py::Tree &tree, TSNode where, TSNode n) {
  for (TSNode a = ts_node_parent(n); !ts_node_is_null(a) && !py::same(a, where); a = ts_node_parent(a))
    if (is(a, "lambda"))
      return "captured by a lambda";
    else if (is(a, "function_definition"))
      return fmt::format("used in the nested function {}", tree.text(py::field(a, "name")));
    else if (is(a, "class_definition"))
      return fmt::format("used in the class body of {}", tree.text(py::field(a, "name")));
  return "";
}

// The mocks a patch creates, by the local names poolify follows their assertions through, and the
// first place one escapes to where poolify cannot see what is asserted on it (stored in an
// attribute or a container, passed to a call, returned, yielded, captured by a nested function):
// there, a retarget changes what the test checks unseen.
struct Followed {
  std::vector<MockName> mocks;
  std::string escape; // "" when the mock goes nowhere else
};

Followed followMock(const py::Tree &tree, const MockName &bound) {
  Followed out;
  LineIndex lines(tree.text());
  auto escape = [&](TSNode at, const std::string &subject, const std::string &how) {
    if (out.escape.empty())
      out.escape = fmt::format("line {}: {} is {}, where poolify does not follow it: check the assertions on it for "
                               "the direct call's arguments",
                               lines.lineOf(py::start(at)), subject, how);
  };
  std::vector<MockName> todo{bound};
  while (!todo.empty()) {
    MockName m = std::move(todo.back());
    todo.pop_back();
    bool seen = std::any_of(out.mocks.begin(), out.mocks.end(),
                            [&](const MockName &o) { return o.name == m.name && py::same(o.where, m.where); });
    if (seen)
      continue; // started into the same local twice: its uses are walked once
    if (!m.patcher)
      out.mocks.push_back(m);
    std::string subject = (m.patcher ? "the patcher " : "its mock ") + m.name;
    forEachRead(tree, m, [&](TSNode n) {
      if (std::string how = capturedBy(tree, m.where, n); !how.empty())
        return escape(n, subject, how);
      TSNode parent = ts_node_parent(n);
      std::string_view field = py::fieldOf(n);
      TSNode call = ts_node_parent(parent);
      bool called = is(parent, "attribute") && is(call, "call") && py::same(py::field(call, "function"), parent);
      if (is(parent, "attribute") && field == "object") {
        std::string_view attr = tree.text(py::field(parent, "attribute"));
        if (m.patcher && (attr == "start" || attr == "__enter__")) {
          if (!called)
            return escape(n, fmt::format("{}.{}", m.name, attr), "read without a call");
          TSNode context = ts_node_parent(call);
          if (is(context, "expression_statement"))
            return; // started, the mock left unused
          TSNode left = py::field(context, "left");
          if (is(context, "assignment") && py::same(py::field(context, "right"), call) && is(left, "identifier")) {
            MockName started;
            started.name = std::string(tree.text(left));
            started.where = scopeOf(context);
            todo.push_back(std::move(started));
            return;
          }
          return escape(n, fmt::format("the mock {}.{}() returns", m.name, attr), whereItGoes(tree, call));
        }
        bool asserts = attr == "assert_has_calls" ||
                       std::find(std::begin(kAssertWith), std::end(kAssertWith), attr) != std::end(kAssertWith);
        if (!m.patcher && asserts && !called)
          return escape(n, fmt::format("{}.{}", m.name, attr), "read without a call");
        return; // an attribute of the mock (return_value, call_count) or of the patcher (stop)
      }
      if (m.patcher && is(parent, "as_pattern") && !py::same(py::field(parent, "alias"), n)) {
        TSNode alias = py::field(parent, "alias");
        TSNode name = is(alias, "as_pattern_target") ? ts_node_named_child(alias, 0) : alias;
        if (!is(name, "identifier"))
          return escape(n, fmt::format("the mock `with {}` gives", m.name), "bound to a pattern");
        MockName entered;
        entered.name = std::string(tree.text(name));
        entered.where = scopeOf(parent);
        todo.push_back(std::move(entered));
        return;
      }
      if (m.patcher && is(parent, "with_item"))
        return; // `with p:`, the mock left unused
      if (!m.patcher && is(parent, "call") && field == "function")
        return; // the mock called
      if (is(parent, "comparison_operator") || is(parent, "not_operator") || is(parent, "assert_statement") ||
          is(parent, "expression_statement") || is(parent, "delete_statement"))
        return;
      escape(n, subject, whereItGoes(tree, n));
    });
  }
  return out;
}

// What a mock.patch / patch.object call hands in to be called instead of the target: `new=` or
// the positional argument after the target (patch(target, new), patch.object(obj, "C", new)), or
// a `side_effect=` the mock calls with its arguments; "" when none.
std::string replacementOf(const py::Tree &tree, const PatchCall &p) {
  size_t at = p.form == PatchCall::Form::PatchObject ? 3 : 2, positional = 0;
  for (TSNode c : py::namedChildren(py::field(p.call, "arguments"))) {
    if (is(c, "comment") || is(c, "list_splat") || is(c, "dictionary_splat"))
      continue;
    if (is(c, "keyword_argument")) {
      std::string_view kw = tree.text(py::field(c, "name"));
      if (kw == "new" || kw == "side_effect")
        return std::string(kw) + "=";
      continue;
    }
    if (++positional == at)
      return "the replacement after the target";
  }
  return "";
}

// The new target of a string form, or of an object form's object and attribute.
struct Retargeted {
  std::string after;
  std::string reason;
};

Retargeted retargetOne(const py::Tree &tree, const PatchCall &p, const model::PatchRetarget &r, EditSet &edits) {
  // The pooled callee must be an attribute chain of the module (`get_x`, `x_pool.get_x`).
  bool name = !r.pooled.empty() && std::all_of(r.pooled.begin(), r.pooled.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
  });
  if (!name)
    return {"",
            fmt::format("the pooled call {}(...) is not an attribute of {} a patch can replace", r.pooled, r.module)};
  std::vector<TSNode> parts;
  for (TSNode c : py::namedChildren(p.str))
    if (!is(c, "string_start") && !is(c, "string_end"))
      parts.push_back(c);
  if (parts.size() != 1 || !is(parts[0], "string_content"))
    return {"", "the target string has escapes or is split; retarget it by hand"};
  if (p.form == PatchCall::Form::Patch || p.form == PatchCall::Form::SetattrString) {
    std::string after = r.module + "." + r.pooled;
    edits.replace(py::start(parts[0]), py::end(parts[0]) - py::start(parts[0]), after);
    return {after, ""};
  }
  // patch.object(mod.bigquery, "Client"): the object is the client library reached through the
  // module; it becomes the module itself (plus the pooled callee's own prefix).
  // The object is the module itself when the callable was imported by its own name (no middle).
  std::string middle = r.target.substr(r.module.size() + 1);
  size_t lastDot = middle.rfind('.');
  middle = lastDot == std::string::npos ? "" : middle.substr(0, lastDot);
  TSNode node = p.object;
  while (!middle.empty()) {
    size_t dot = middle.rfind('.');
    std::string last = dot == std::string::npos ? middle : middle.substr(dot + 1);
    if (!is(node, "attribute") || tree.text(py::field(node, "attribute")) != last)
      return {"", fmt::format("the patched object {} is not reached through the module {}; patch {}.{} by hand",
                              tree.text(p.object), r.module, r.module, r.pooled)};
    node = py::field(node, "object");
    middle = dot == std::string::npos ? "" : middle.substr(0, dot);
  }
  std::string object(tree.text(node));
  std::string attribute = r.pooled;
  if (size_t dot = r.pooled.rfind('.'); dot != std::string::npos) {
    object += "." + r.pooled.substr(0, dot);
    attribute = r.pooled.substr(dot + 1);
  }
  edits.replace(py::start(p.object), py::end(p.object) - py::start(p.object), object);
  edits.replace(py::start(parts[0]), py::end(parts[0]) - py::start(parts[0]), attribute);
  return {fmt::format("{}, \"{}\"", object, attribute), ""};
}

} // namespace

PatchPlan retargetPatches(const py::Tree &tree, const py::ScopeModel &model,
                          const std::vector<model::PatchRetarget> &retargets, const std::vector<rules::Rule> &rules) {
  PatchPlan plan;
  if (retargets.empty())
    return plan;
  std::vector<PatchCall> calls = findPatchCalls(tree, model);
  for (const auto &r : retargets) {
    auto p = std::find_if(calls.begin(), calls.end(),
                          [&](const PatchCall &c) { return c.offset() == r.offset && c.target == r.target; });
    if (p == calls.end()) {
      // An indirect target (findIndirectTargets) is never edited, but its hand fix is listed; a
      // text changed under the plan: nothing is done.
      if (!r.handFix.empty()) {
        model::PatchChange change;
        change.rule = r.rule;
        change.modulePath = r.modulePath;
        change.before = r.target;
        change.handFix = r.handFix;
        plan.changes.push_back({r.offset, change});
      }
      continue;
    }
    model::PatchChange change;
    change.rule = r.rule;
    change.modulePath = r.modulePath;
    bool object = p->form == PatchCall::Form::PatchObject || p->form == PatchCall::Form::SetattrObject;
    change.before =
        object ? fmt::format("{}, \"{}\"", tree.text(p->object), r.target.substr(r.target.rfind('.') + 1)) : r.target;
    const rules::Rewrite *rw = rewriteOf(rules, r.rule, r.callable);
    if (!r.handFix.empty()) {
      change.handFix = r.handFix;
    } else if (!p->recognised) {
      change.handFix = fmt::format("{} is not known as unittest.mock's patch, pytest-mock's mocker.patch or pytest's "
                                   "monkeypatch.setattr",
                                   tree.text(py::field(p->call, "function")));
    } else if (!p->constant.empty()) {
      change.handFix =
          fmt::format("the target is the value of {}; retarget it to {}.{} by hand", p->constant, r.module, r.pooled);
    } else if (!rw) {
      change.handFix = "the rule's argument mapping is unknown";
    } else {
      EditSet edits;
      Retargeted t = retargetOne(tree, *p, r, edits);
      change.after = t.after;
      change.handFix = t.reason;
      if (t.reason.empty()) {
        std::vector<std::string> problems;
        if (p->form == PatchCall::Form::SetattrString || p->form == PatchCall::Form::SetattrObject) {
          if (!identity(*rw) || r.inferred)
            problems.push_back(fmt::format("the replacement is called as {}(...) now, with the pooled call's "
                                           "arguments: check its parameters and what the test asserts on them",
                                           r.pooled));
        } else if (std::string handed = replacementOf(tree, *p); !handed.empty() && (!identity(*rw) || r.inferred)) {
          problems.push_back(fmt::format("what it hands in ({}) is called as {}(...) now, with the pooled call's "
                                         "arguments: check its parameters and what the test asserts on them",
                                         handed, r.pooled));
        } else if (auto m = mockNameOf(*p, calls, tree)) {
          if (!m->none) {
            Followed followed = followMock(tree, *m);
            if (!followed.escape.empty() && (!identity(*rw) || r.inferred))
              problems.push_back(followed.escape);
            for (const MockName &mock : followed.mocks)
              for (auto &pr : rewriteAssertions(tree, mock, *rw, r.pooled, r.inferred, edits))
                problems.push_back(std::move(pr));
          }
        } else if (!identity(*rw) || r.inferred) {
          problems.push_back("its mock is not bound to a name poolify follows: check the assertions on it for the "
                             "direct call's arguments");
        }
        for (const auto &pr : problems)
          change.handFix += (change.handFix.empty() ? "" : "; ") + pr;
        plan.edits.append(edits);
      }
    }
    plan.changes.push_back({r.offset, change});
  }
  return plan;
}

} // namespace poolify::rewrite

#include "analysis/decide.h"

#include "analysis/context.h"

#include <fmt/format.h>

#include <algorithm>

namespace poolify::analysis {

using py::is;

bool isModuleFile(const std::string &path, const std::string &module) {
  std::string rel = module;
  std::replace(rel.begin(), rel.end(), '.', '/');
  auto endsWith = [&](const std::string &suffix) {
    if (path.size() < suffix.size() || path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0)
      return false;
    return path.size() == suffix.size() || path[path.size() - suffix.size() - 1] == '/';
  };
  return endsWith(rel + ".py") || endsWith(rel + "/__init__.py");
}

Arguments argumentsOf(TSNode call) {
  Arguments a;
  TSNode args = py::field(call, "arguments");
  if (!is(args, "argument_list")) {
    a.positional.push_back(args); // f(x for x in y)
    a.all.push_back(args);
    a.first = args;
    return a;
  }
  a.list = args;
  for (TSNode c : py::namedChildren(args)) {
    if (is(c, "comment"))
      continue;
    if (ts_node_is_null(a.first))
      a.first = c;
    a.all.push_back(c);
    if (is(c, "list_splat") || is(c, "dictionary_splat"))
      a.unpacking = true;
    else if (is(c, "keyword_argument"))
      a.keywords.push_back(c);
    else
      a.positional.push_back(c);
  }
  return a;
}

namespace {

// How the pooled function is named at a site: by its own name when that is free (or already
// bound to it), else through its module; the imports this file will gain are remembered, so two
// sites agree and no name is taken twice.
class CalleeNamer {
public:
  CalleeNamer(const py::ScopeModel &model) : model_(model) {}

  /// Fills the verdict's callee text and import; false with `reason` when every spelling clashes.
  bool name(const Site &site, const rules::Replacement &replace, model::Verdict &v, std::string &reason) {
    const std::string &module = replace.module, &function = replace.function;
    std::string full = module + "." + function;
    if (auto t = model_.importTarget(function, site.scope); t && *t == full)
      return use(v, replace, function, "", "");
    if (planned(module, function) || isFree(function))
      return use(v, replace, function, module, function);
    // The function's name is taken: reach it through its module instead.
    size_t dot = module.rfind('.');
    std::string last = dot == std::string::npos ? module : module.substr(dot + 1);
    std::string parent = dot == std::string::npos ? std::string() : module.substr(0, dot);
    if (auto t = model_.importTarget(last, site.scope); t && *t == module)
      return use(v, replace, last + "." + function, "", "");
    if (!parent.empty() && (planned(parent, last) || isFree(last)))
      return use(v, replace, last + "." + function, parent, last);
    reason = fmt::format("name '{}' is already used in this file, and so is '{}'", function, last);
    return false;
  }

private:
  bool use(model::Verdict &v, const rules::Replacement &replace, const std::string &function,
           const std::string &importModule, const std::string &importName) {
    v.callee = replace.calleeText(function);
    v.importModule = importModule;
    v.importName = importName;
    if (!importName.empty() && !planned(importModule, importName))
      planned_.push_back({importModule, importName});
    return true;
  }
  bool planned(const std::string &module, const std::string &name) const {
    return std::find(planned_.begin(), planned_.end(), std::make_pair(module, name)) != planned_.end();
  }
  bool isFree(const std::string &name) {
    if (!used_) {
      used_.emplace();
      for (const auto &b : model_.bindings())
        used_->insert(b.name);
      for (const auto &r : model_.references())
        used_->insert(std::string(r.name));
    }
    return used_->count(name) == 0;
  }

  const py::ScopeModel &model_;
  std::vector<std::pair<std::string, std::string>> planned_;
  std::optional<std::set<std::string>> used_; // every name bound or used in the file
};

class Decider {
public:
  Decider(const py::Tree &tree, const py::ScopeModel &model, const std::string &path, const LineIndex &lines,
          const FileContext &context)
      : tree_(tree), model_(model), path_(path), lines_(lines), context_(context), namer_(model) {}

  model::Verdict decide(const Site &site) {
    model::Verdict v;
    std::string why = leaveReason(site);
    if (why.empty() && !mapArguments(site, v, why))
      return left(v, why, model::Outcome::Left);
    if (!why.empty())
      return left(v, why, model::Outcome::Left);
    // Required arguments the call does not pass come from scope, in the rule's order.
    const rules::Rewrite &rw = *site.rewrite;
    for (const auto &am : rw.arguments) {
      if (rw.passThrough || !am.required || given(v, am.to))
        continue;
      auto c = inferArgument(tree_, model_, site, am.infer);
      if (!c) {
        if (am.omitWhenMissing)
          continue;
        return left(v, am.missingMessage, model::Outcome::LeftMissing);
      }
      v.inferred.push_back({am.to, c->text()});
    }
    if (!namer_.name(site, rw.replace, v, why))
      return left(v, why, model::Outcome::Left);
    for (const auto &[to, text] : v.inferred)
      v.notes.push_back(fmt::format("{} from {}", to, text));
    v.poolModule = rw.replace.module;
    v.unsafe = unsafeReason(site, v);
    v.outcome = model::Outcome::Rewritten;
    if (!v.unsafe.empty()) {
      v.notes.push_back(fmt::format("{}: {}", context_.unsafeFixes ? "unsafe fix applied" : "unsafe fix, applied with "
                                                                                           "--unsafe-fixes",
                                    v.unsafe));
      if (!context_.unsafeFixes)
        v.outcome = model::Outcome::Unsafe;
    }
    return v;
  }

  // An override the class index found redundant; one whose removal might change behaviour (see
  // Removal::unsafe) is an unsafe fix.
  model::Verdict remove(const model::Removal &r) {
    model::Verdict v;
    v.outcome = model::Outcome::Removed;
    v.removal = r;
    v.unsafe = r.unsafe;
    if (r.unsafe.empty()) {
      v.notes.push_back(r.note);
    } else if (context_.unsafeFixes) {
      v.notes.push_back("unsafe fix applied: " + r.unsafe);
    } else {
      v.outcome = model::Outcome::Unsafe;
      v.notes.push_back("unsafe fix, applied with --unsafe-fixes: " + r.unsafe);
    }
    return v;
  }

private:
  static model::Verdict &left(model::Verdict &v, const std::string &why, model::Outcome outcome) {
    v.outcome = outcome;
    v.reason = why;
    v.notes = {"left: " + why};
    v.inferred.clear();
    v.changes.clear();
    return v;
  }

  static bool given(const model::Verdict &v, const std::string &keyword) {
    return std::any_of(v.args.begin(), v.args.end(), [&](const model::Argument &a) { return a.first == keyword; });
  }

  // Why the rewrite might not keep behaviour ("" when it does under the pool's contract): the rule
  // says so (a retrying pool in front of a request that is not idempotent), or an argument the call
  // did not pass is taken from scope (the direct call used the library's default).
  std::string unsafeReason(const Site &site, const model::Verdict &v) const {
    std::vector<std::string> why;
    if (site.rewrite->unsafe)
      why.push_back(site.rewrite->note);
    for (const auto &[to, text] : v.inferred) {
      const rules::ArgumentMap *am = nullptr;
      for (const auto &cand : site.rewrite->arguments)
        if (cand.to == to)
          am = &cand;
      why.push_back(fmt::format("{}={} is taken from scope, but {}() without {}= used the library's default, which may "
                                "differ",
                                to, text, tree_.text(site.callee), am ? am->from : to));
    }
    std::string out;
    for (const auto &w : why)
      out += (out.empty() ? "" : "; ") + w;
    return out;
  }

  // Why a site cannot be rewritten whatever its arguments ("" when it can).
  std::string leaveReason(const Site &site) {
    const rules::Rewrite &rw = *site.rewrite;
    if (site.inString)
      return fmt::format("string reference to {} is not rewritten (a mock target?)", site.qname);
    if (isModuleFile(path_, rw.replace.module))
      return "this module defines the pool";
    if (ts_node_is_null(site.call))
      return fmt::format("reference to {} is not a call", site.qname);
    if (context_.poolProblem)
      if (std::string problem = context_.poolProblem(rw.replace.module); !problem.empty())
        return problem;
    if (rw.leaveClosed)
      if (auto why = closedBy(tree_, model_, site, lines_))
        return fmt::format("client is closed by this code ({})", *why);
    if (auto why = configuredBy(tree_, model_, site, rw.leaveIfConfigured, lines_))
      return fmt::format("{} ({})", rw.configuredMessage, *why);
    return "";
  }

  // Maps the call's arguments to the pooled call's (records them in v.args); false with the
  // reason when one cannot be mapped.
  bool mapArguments(const Site &site, model::Verdict &v, std::string &reason) {
    const rules::Rewrite &rw = *site.rewrite;
    Arguments args = argumentsOf(site.call);
    if (rw.passThrough) {
      for (size_t i = 0; i < args.positional.size(); ++i)
        v.args.push_back({fmt::format("#{}", i + 1), std::string(tree_.text(args.positional[i]))});
      for (TSNode kw : args.keywords)
        v.args.push_back(
            {std::string(tree_.text(py::field(kw, "name"))), std::string(tree_.text(py::field(kw, "value")))});
      return true;
    }
    if (args.unpacking) {
      reason = "argument unpacking cannot be mapped to the pool";
      return false;
    }
    auto indexOf = [&](TSNode n) {
      return static_cast<unsigned>(std::find_if(args.all.begin(), args.all.end(),
                                                [&](TSNode a) { return py::same(a, n); }) -
                                   args.all.begin());
    };
    for (size_t i = 0; i < args.positional.size(); ++i) {
      const rules::ArgumentMap *am = nullptr;
      for (const auto &cand : rw.arguments)
        if (cand.position && *cand.position == i + 1)
          am = &cand;
      if (!am || is(args.positional[i], "generator_expression")) {
        reason = fmt::format("positional argument {} is not supported by the pool", i + 1);
        return false;
      }
      v.changes.push_back({indexOf(args.positional[i]), am->to});
      v.args.push_back({am->to, std::string(tree_.text(args.positional[i]))});
    }
    for (TSNode kw : args.keywords) {
      std::string_view k = tree_.text(py::field(kw, "name"));
      const rules::ArgumentMap *am = nullptr;
      for (const auto &cand : rw.arguments)
        if (cand.from == k)
          am = &cand;
      if (!am) {
        reason = fmt::format("keyword '{}' is not supported by the pool", k);
        return false;
      }
      if (am->to != am->from)
        v.changes.push_back({indexOf(kw), am->to});
      v.args.push_back({am->to, std::string(tree_.text(py::field(kw, "value")))});
    }
    return true;
  }

  const py::Tree &tree_;
  const py::ScopeModel &model_;
  const std::string &path_;
  const LineIndex &lines_;
  const FileContext &context_;
  CalleeNamer namer_;
};

} // namespace

std::vector<model::Verdict> decideSites(const py::Tree &tree, const py::ScopeModel &model,
                                        const std::vector<Site> &sites, const std::string &path,
                                        const LineIndex &lines, const FileContext &context) {
  Decider decider(tree, model, path, lines, context);
  std::vector<model::Verdict> out;
  out.reserve(sites.size());
  for (const auto &site : sites) {
    auto removal = context.removals.find(py::start(site.callee));
    if (removal != context.removals.end() && !ts_node_is_null(site.call))
      out.push_back(decider.remove(removal->second));
    else
      out.push_back(decider.decide(site));
  }
  return out;
}

} // namespace poolify::analysis

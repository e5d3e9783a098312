#include "analysis/decide.h"

#include "analysis/context.h"
#include "analysis/methods.h"
#include "analysis/reorder.h"

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
// sites agree and no name is taken twice. A name is not free either when a module-level import of
// it would leak through `import *` into another module that binds or reads it (starClashes).
class CalleeNamer {
public:
  CalleeNamer(const py::ScopeModel &model, const std::map<std::string, std::string> &starClashes)
      : model_(model), starClashes_(starClashes) {}

  /// Fills the verdict's callee text and import; false with `reason` when every spelling clashes.
  /// `note`: why the site is reached through the module, when a star import is the cause.
  bool name(const Site &site, const rules::Replacement &replace, model::Verdict &v, std::string &reason,
            std::string &note) {
    const std::string &module = replace.module, &function = replace.function;
    std::string full = module + "." + function;
    if (auto t = model_.importTarget(function, site.scope); t && *t == full)
      return use(v, replace, function, "", "");
    // The import goes beside the one the site relied on: at module level when that one is.
    bool moduleLevel = !site.anchor || site.anchor->textualScope == 0;
    auto leaks = [&](const std::string &name) -> const std::string * {
      auto c = starClashes_.find(name);
      return moduleLevel && c != starClashes_.end() ? &c->second : nullptr;
    };
    if (!leaks(function) && (planned(module, function) || isFree(function)))
      return use(v, replace, function, module, function);
    // The function's name is taken: reach it through its module instead.
    size_t dot = module.rfind('.');
    std::string last = dot == std::string::npos ? module : module.substr(dot + 1);
    std::string parent = dot == std::string::npos ? std::string() : module.substr(0, dot);
    bool said = false; // "this module has no __all__" is said once
    auto takenBy = [&](const std::string &name) {
      const std::string *where = leaks(name);
      if (!where)
        return std::string("is already used in this file");
      std::string out = fmt::format("would reach {}{}", *where, said ? "" : " (this module has no __all__)");
      said = true;
      return out;
    };
    if (const std::string *where = leaks(function))
      note = fmt::format("reached through its module: a module-level '{}' would reach {} (this module has no "
                         "__all__)",
                         function, *where);
    if (auto t = model_.importTarget(last, site.scope); t && *t == module)
      return use(v, replace, last + "." + function, "", "");
    if (!parent.empty() && !leaks(last) && (planned(parent, last) || isFree(last)))
      return use(v, replace, last + "." + function, parent, last);
    note.clear();
    if (!leaks(function) && !leaks(last)) {
      reason = fmt::format("name '{}' is already used in this file, and so is '{}'", function, last);
    } else {
      std::string first = takenBy(function); // before the second: it says why once
      reason = fmt::format("name '{}' {}, and '{}' {}", function, first, last, takenBy(last));
    }
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
  const std::map<std::string, std::string> &starClashes_;
  std::vector<std::pair<std::string, std::string>> planned_;
  std::optional<std::set<std::string>> used_; // every name bound or used in the file
};

// A required argument passed as a literal `None` (`project=None`): the library's default, as if
// it were not passed.
struct NoneArgument {
  unsigned index; // among the call's arguments
  const rules::ArgumentMap *map;
};

class Decider {
public:
  Decider(const py::Tree &tree, const py::ScopeModel &model, const std::vector<Site> &sites, const std::string &path,
          const LineIndex &lines, const FileContext &context)
      : tree_(tree), model_(model), sites_(sites), path_(path), lines_(lines), context_(context),
        namer_(model, context.starClashes), bound_(tree, model) {}

  model::Verdict decide(const Site &site) {
    model::Verdict v;
    std::vector<NoneArgument> none;
    std::string why = leaveReason(site);
    if (why.empty() && !mapArguments(site, v, none, why))
      return left(v, why, model::Outcome::Left);
    if (!why.empty())
      return left(v, why, model::Outcome::Left);
    // A client handed out is left whatever its arguments (not as only missing one: it asks for more).
    const rules::Rewrite &rw = *site.rewrite;
    std::optional<ObjectUses> uses;
    if (rw.leaveClosed) {
      uses.emplace(tree_, model_, names(), site);
      if (auto out = escapedBy(tree_, model_, *uses, lines_))
        return left(v, *out + ", and a shared client must not be handed out", model::Outcome::Left);
    }
    if (!inferMissing(site, v, none, why))
      return noneNotes(left(v, why, model::Outcome::LeftMissing), none);
    if (std::string problem = poolCallProblem(site, v); !problem.empty())
      return left(v, problem, model::Outcome::Left);
    std::string reached;
    if (!namer_.name(site, rw.replace, v, why, reached))
      return left(v, why, model::Outcome::Left);
    if (!reached.empty())
      v.notes.push_back(reached);
    noneNotes(v, none);
    for (const auto &[to, text] : v.inferred)
      v.notes.push_back(fmt::format("{} from {}{}", to, text,
                                    fromBase_.count(to) ? ", which the base __init__ that runs first assigns" : ""));
    v.poolModule = rw.replace.module;
    if (uses) // other modules may configure or close it through these (the reduce step looks)
      v.holders = uses->holders();
    v.unsafe = unsafeReason(site, v);
    v.outcome = model::Outcome::Rewritten;
    if (!v.unsafe.empty()) {
      v.notes.push_back(fmt::format("{}: {}",
                                    context_.unsafeFixes ? "unsafe fix applied"
                                                         : "unsafe fix, applied with "
                                                           "--unsafe-fixes",
                                    v.unsafe));
      if (!context_.unsafeFixes)
        v.outcome = model::Outcome::Unsafe;
    }
    return v;
  }

  // Why the pool refuses the call as the rewrite would write it ("" when it does not, or when the
  // call unpacks arguments, so its shape is not known).
  std::string poolCallProblem(const Site &site, const model::Verdict &v) const {
    const rules::Replacement &to = site.rewrite->replace;
    if (!context_.poolCallProblem || to.function.empty())
      return "";
    py::CallShape call;
    if (to.attribute.empty()) { // get_http_session().put(...) calls the pool's function with none
      if (site.rewrite->passThrough && argumentsOf(site.call).unpacking)
        return "";
      std::set<std::string> keywords;
      for (const auto &[keyword, _] : v.args)
        if (!keyword.empty() && keyword[0] == '#')
          ++call.positional;
        else
          keywords.insert(keyword);
      for (const auto &[keyword, _] : v.inferred)
        keywords.insert(keyword);
      call.keywords.assign(keywords.begin(), keywords.end());
    }
    return context_.poolCallProblem(to.module, to.function, call);
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
    v.move.reset();
    v.holders.clear();
    return v;
  }

  // Required arguments the call does not pass (or passes as `None`) come from scope, in the rule's
  // order. False, with the rule's message, when one is missing and the rule leaves such calls.
  bool inferMissing(const Site &site, model::Verdict &v, const std::vector<NoneArgument> &none, std::string &why) {
    const rules::Rewrite &rw = *site.rewrite;
    fromBase_.clear();
    for (const auto &am : rw.arguments) {
      if (rw.passThrough || !am.required || given(v, am.to))
        continue;
      auto passed = std::find_if(none.begin(), none.end(), [&](const NoneArgument &n) { return n.map == &am; });
      Inference found = inferArgument(tree_, model_, bound_, site, am.infer);
      if (!found.found)
        found.found = boundByMove(site, am, v);
      if (!found.found && found.hookCandidate && context_.baseProvidedOffsets.count(py::start(site.callee))) {
        found.found = Inferred{*found.hookCandidate, found.baseMayProvide}; // the class index's answer
        fromBase_.insert(am.to);
      }
      if (!found.baseMayProvide.empty())
        v.baseMayProvide = found.baseMayProvide;
      if (!found.hookClass.empty()) {
        v.hookClass = found.hookClass;
        v.hookAttr = found.hookAttr;
      }
      if (!found.found && am.omitWhenMissing && passed != none.end()) {
        v.changes.push_back({passed->index, am.to, ""}); // the pool's own default: project_id=None
        v.args.push_back({am.to, "None"});
      }
      if (!found.found && am.omitWhenMissing)
        continue;
      if (!found.found) {
        why = am.missingMessage;
        return false;
      }
      if (passed != none.end())
        v.changes.push_back({passed->index, am.to, found.found->text}); // `project=None` becomes it in place
      v.inferred.push_back({am.to, found.found->text});
    }
    return true;
  }

  // No candidate is bound at the call, but one would be if the statement right after the call's
  // that binds it moved above it (analysis/reorder.h): the verdict carries the move.
  std::optional<Inferred> boundByMove(const Site &site, const rules::ArgumentMap &am, model::Verdict &v) {
    using K = rules::ScopeCandidate::Kind;
    if (v.move)
      return std::nullopt; // one move per site
    for (const auto &c : am.infer) {
      MoveTarget target{c.name, ""};
      if (c.kind == K::SelfAttribute) {
        auto m = methodOf(tree_, model_, site.scope);
        if (!m)
          continue;
        target = {m->self, c.name};
      } else if (c.kind != K::Local) {
        continue;
      }
      if (auto move = movableAbove(tree_, model_, site, target, sites_, lines_)) {
        v.move = *move;
        return Inferred{c, target.text()};
      }
    }
    return std::nullopt;
  }

  // `project=None` is said first: the call passes it, poolify takes it as not passed.
  static model::Verdict &noneNotes(model::Verdict &v, const std::vector<NoneArgument> &none) {
    std::vector<std::string> notes;
    notes.reserve(none.size());
    for (const NoneArgument &n : none)
      notes.push_back(fmt::format("{}=None is taken as no {} given (the library's default)", n.map->from, n.map->from));
    v.notes.insert(v.notes.begin(), notes.begin(), notes.end());
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
    if (v.move)
      why.push_back(moveReason(*v.move));
    if (site.rewrite->unsafe)
      why.push_back(site.rewrite->note);
    for (const auto &[to, text] : v.inferred) {
      const rules::ArgumentMap *am = nullptr;
      for (const auto &cand : site.rewrite->arguments)
        if (cand.to == to)
          am = &cand;
      bool none = std::any_of(v.changes.begin(), v.changes.end(), [&, &k = to](const model::ArgumentChange &c) {
        return c.keyword == k && !c.value.empty();
      });
      std::string from = am ? am->from : to;
      std::string call = none ? fmt::format("{}({}=None)", tree_.text(site.callee), from)
                              : fmt::format("{}() without {}=", tree_.text(site.callee), from);
      why.push_back(fmt::format("{}={} is taken from scope, but {} used the library's default, which may differ", to,
                                text, call));
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
    if (!site.nameProblem.empty())
      return site.nameProblem;
    if (context_.poolProblem)
      if (std::string problem = context_.poolProblem(rw.replace.module); !problem.empty())
        return problem;
    return sharedObjectReason(site);
  }

  // Why the object the call creates must not become the shared one: this code closes or configures
  // it (whether it hands it out is asked once its arguments map). Rules whose call makes the pooled
  // object itself (a client, a session: `leave_closed`) check both; the others (a response) only
  // the configuration they list.
  std::string sharedObjectReason(const Site &site) {
    const rules::Rewrite &rw = *site.rewrite;
    ObjectUses uses(tree_, model_, names(), site);
    if (rw.leaveClosed)
      if (auto why = closedBy(tree_, model_, site, uses, lines_))
        return fmt::format("client is closed by this code ({})", *why);
    if (auto why = configuredBy(tree_, uses, rw.leaveIfConfigured, rw.leaveClosed, lines_))
      return fmt::format("{} ({})", rw.configuredMessage, *why);
    return "";
  }

  // Maps the call's arguments to the pooled call's (records them in v.args); false with the
  // reason when one cannot be mapped.
  // `project=None` where the rule says None is not the library's default (`when_none: leave`).
  static bool noneMeansOther(const rules::ArgumentMap &am, std::string &reason) {
    reason = fmt::format("{}=None asks the library for a client without a {}, which the pool does not give", am.from,
                         am.from);
    return false;
  }

  bool mapArguments(const Site &site, model::Verdict &v, std::vector<NoneArgument> &none, std::string &reason) {
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
      return static_cast<unsigned>(
          std::find_if(args.all.begin(), args.all.end(), [&](TSNode a) { return py::same(a, n); }) - args.all.begin());
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
      if (am->required && is(args.positional[i], "none")) {
        if (!am->noneIsDefault)
          return noneMeansOther(*am, reason);
        none.push_back({indexOf(args.positional[i]), am});
        continue;
      }
      v.changes.push_back({indexOf(args.positional[i]), am->to, ""});
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
      if (am->required && is(py::field(kw, "value"), "none")) {
        if (!am->noneIsDefault)
          return noneMeansOther(*am, reason);
        none.push_back({indexOf(kw), am});
        continue;
      }
      if (am->to != am->from)
        v.changes.push_back({indexOf(kw), am->to, ""});
      v.args.push_back({am->to, std::string(tree_.text(py::field(kw, "value")))});
    }
    return true;
  }

  const py::Tree &tree_;
  const py::ScopeModel &model_;
  const std::vector<Site> &sites_;
  const std::string &path_;
  const LineIndex &lines_;
  const NameUses &names() {
    if (!names_)
      names_.emplace(model_);
    return *names_;
  }

  const FileContext &context_;
  std::set<std::string> fromBase_; // keywords of the site being decided taken from what a base __init__ assigns
  CalleeNamer namer_;
  BoundNames bound_;
  std::optional<NameUses> names_; // made when a site's object is first followed
};

} // namespace

std::vector<model::Verdict> decideSites(const py::Tree &tree, const py::ScopeModel &model,
                                        const std::vector<Site> &sites, const std::string &path, const LineIndex &lines,
                                        const FileContext &context) {
  Decider decider(tree, model, sites, path, lines, context);
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

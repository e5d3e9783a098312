#include "rewrite/planner.h"

#include "analysis/context.h"
#include "rewrite/imports.h"

#include <fmt/format.h>

namespace poolify::rewrite {

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

namespace {

struct Arguments {
  std::vector<TSNode> positional;
  std::vector<TSNode> keywords; // keyword_argument nodes
  bool unpacking = false;
  TSNode list{};                  // argument_list (null for a bare generator argument)
  TSNode first{};                 // first argument that is not a comment
};

Arguments argumentsOf(TSNode call) {
  Arguments a;
  TSNode args = py::field(call, "arguments");
  if (!is(args, "argument_list")) {
    a.positional.push_back(args); // f(x for x in y)
    a.first = args;
    return a;
  }
  a.list = args;
    for (TSNode c : py::namedChildren(args)) {
    if (is(c, "comment"))
      continue;
    if (ts_node_is_null(a.first))
      a.first = c;
    if (is(c, "list_splat") || is(c, "dictionary_splat"))
      a.unpacking = true;
    else if (is(c, "keyword_argument"))
      a.keywords.push_back(c);
    else
      a.positional.push_back(c);
  }
  return a;
}

class Planner {
public:
  Planner(const py::Tree &tree, const py::ScopeModel &model, const std::string &path, const LineIndex &lines,
          const std::map<uint32_t, model::Removal> &removals)
      : tree_(tree), model_(model), path_(path), lines_(lines), removals_(removals),
        imports_(tree, model, detectEol(tree.text())) {}

  FilePlan run(const std::vector<analysis::Site> &sites) {
    std::vector<const analysis::Site *> rewritten;
    std::vector<TSNode> vanishing;
    for (const auto &site : sites) {
      plan_.decisions.emplace_back();
      decision_ = &plan_.decisions.back();
      auto removal = removals_.find(py::start(site.callee));
      if (removal != removals_.end() && !ts_node_is_null(site.call)) {
        rewritten.push_back(&site);
        vanishing.push_back(remove(site, removal->second));
      } else if (decide(site)) {
        rewritten.push_back(&site);
        vanishing.push_back(site.callee);
      }
    }
    imports_.finish(rewritten, vanishing, plan_.edits);
    return std::move(plan_);
  }

private:
  void leave(const analysis::Site &site, const std::string &why,
             model::Outcome outcome = model::Outcome::Left) {
    plan_.notes.push_back({py::start(site.callee), site.rule->id, "left: " + why});
    decision_->outcome = outcome;
    decision_->reason = why;
    ++plan_.left;
  }

  // Removes the override statement and the comment lines directly above it; one comment stays.
  TSNode remove(const analysis::Site &site, const model::Removal &r) {
    std::string_view text = tree_.text();
    TSNode stmt = py::enclosingStatement(site.call);
    size_t first = lineStartOf(text, py::start(stmt));
    while (first > 0) {
      size_t prev = lineStartOf(text, first - 1);
      size_t k = prev;
      while (k < first && (text[k] == ' ' || text[k] == '\t'))
        ++k;
      if (k >= first || text[k] != '#')
        break;
      first = prev;
    }
    size_t last = lineEndOf(text, py::end(stmt));
    std::string indent(indentOf(text, py::start(stmt)));
    std::string eol = last > 0 && text[last - 1] == '\n' ? std::string(detectEol(text)) : std::string();
    plan_.edits.replace(first, last - first, indent + "# " + r.comment + eol);
    plan_.notes.push_back({py::start(site.callee), site.rule->id, r.note});
    decision_->outcome = model::Outcome::Removed;
    ++plan_.removed;
    return stmt;
  }

  // Returns true when the site is rewritten.
  bool decide(const analysis::Site &site) {
    const rules::Rewrite &rw = *site.rewrite;
    if (site.inString) {
      leave(site, fmt::format("string reference to {} is not rewritten (a mock target?)", site.qname));
      return false;
    }
    if (isModuleFile(path_, rw.replace.module)) {
      leave(site, "this module defines the pool");
      return false;
    }
    if (ts_node_is_null(site.call)) {
      leave(site, fmt::format("reference to {} is not a call", site.qname));
      return false;
    }
    if (rw.leaveClosed) {
      if (auto why = analysis::closedBy(tree_, model_, site, lines_)) {
        leave(site, fmt::format("client is closed by this code ({})", *why));
        return false;
      }
    }
    if (auto why = analysis::configuredBy(tree_, model_, site, rw.leaveIfConfigured, lines_)) {
      leave(site, fmt::format("{} ({})", rw.configuredMessage, *why));
      return false;
    }
    Arguments args = argumentsOf(site.call);
    EditSet edits;
    std::string reason;
    std::vector<const rules::ArgumentMap *> given;
    if (rw.passThrough)
      recordPassThrough(args);
    if (!rw.passThrough && !mapArguments(rw, args, edits, given, reason)) {
      leave(site, reason);
      return false;
    }
    // Required arguments the call does not pass come from scope, in the rule's order.
    std::string inserted;
    std::vector<std::string> inferredNotes;
    for (const auto &am : rw.arguments) {
      if (rw.passThrough || !am.required || std::find(given.begin(), given.end(), &am) != given.end())
        continue;
      auto c = analysis::inferArgument(tree_, model_, site, am.infer);
      if (!c) {
        if (am.omitWhenMissing)
          continue;
        leave(site, am.missingMessage, model::Outcome::LeftMissing);
        return false;
      }
      if (!inserted.empty())
        inserted += ", ";
      inserted += am.to + "=" + c->text();
      inferredNotes.push_back(fmt::format("{} from {}", am.to, c->text()));
    }
    auto callee = imports_.nameFor(site, rw.replace.module, rw.replace.function, reason);
    if (!callee) {
      leave(site, reason);
      return false;
    }
    edits.replace(py::start(site.callee), py::end(site.callee) - py::start(site.callee),
                  rw.replace.calleeText(*callee));
    if (!inserted.empty())
      insertLeading(args, inserted, edits);
    for (auto &n : inferredNotes)
      plan_.notes.push_back({py::start(site.callee), site.rule->id, n});
    plan_.edits.append(edits);
    decision_->outcome = model::Outcome::Rewritten;
    ++plan_.rewritten;
    auto &mods = plan_.poolModules;
    if (std::find(mods.begin(), mods.end(), rw.replace.module) == mods.end()) {
      mods.push_back(rw.replace.module);
      std::sort(mods.begin(), mods.end());
    }
    return true;
  }

  bool mapArguments(const rules::Rewrite &rw, const Arguments &args, EditSet &edits,
                    std::vector<const rules::ArgumentMap *> &given, std::string &reason) {
    if (args.unpacking) {
      reason = "argument unpacking cannot be mapped to the pool";
      return false;
    }
    for (size_t i = 0; i < args.positional.size(); ++i) {
      const rules::ArgumentMap *am = nullptr;
      for (const auto &cand : rw.arguments)
        if (cand.position && *cand.position == i + 1)
          am = &cand;
      if (!am || is(args.positional[i], "generator_expression")) {
        reason = fmt::format("positional argument {} is not supported by the pool", i + 1);
        return false;
      }
      edits.insert(py::start(args.positional[i]), am->to + "=");
      given.push_back(am);
      decision_->args.push_back({am->to, std::string(tree_.text(args.positional[i]))});
    }
    for (TSNode kw : args.keywords) {
      TSNode name = py::field(kw, "name");
      std::string_view k = tree_.text(name);
      const rules::ArgumentMap *am = nullptr;
      for (const auto &cand : rw.arguments)
        if (cand.from == k)
          am = &cand;
      if (!am) {
        reason = fmt::format("keyword '{}' is not supported by the pool", k);
        return false;
      }
      if (am->to != am->from)
        edits.replace(py::start(name), py::end(name) - py::start(name), am->to);
      given.push_back(am);
      decision_->args.push_back({am->to, std::string(tree_.text(py::field(kw, "value")))});
    }
    return true;
  }

  void recordPassThrough(const Arguments &args) {
    for (size_t i = 0; i < args.positional.size(); ++i)
      decision_->args.push_back({fmt::format("#{}", i + 1), std::string(tree_.text(args.positional[i]))});
    for (TSNode kw : args.keywords)
      decision_->args.push_back(
          {std::string(tree_.text(py::field(kw, "name"))), std::string(tree_.text(py::field(kw, "value")))});
  }

  // `f()` -> `f(x=1)`; `f(a)` -> `f(x=1, a)`; an argument on its own line gets its own line.
  void insertLeading(const Arguments &args, const std::string &inserted, EditSet &edits) {
    std::string_view text = tree_.text();
    if (ts_node_is_null(args.first)) {
      edits.insert(py::start(args.list) + 1, inserted);
      return;
    }
    size_t at = py::start(args.first);
    if (lines_.lineOf(at) == lines_.lineOf(py::start(args.list)) || !onlyBlankBefore(text, at))
      edits.insert(at, inserted + ", ");
    else
      edits.insert(at, inserted + "," + std::string(detectEol(text)) + std::string(indentOf(text, at)));
  }

  const py::Tree &tree_;
  const py::ScopeModel &model_;
  const std::string &path_;
  const LineIndex &lines_;
  const std::map<uint32_t, model::Removal> &removals_;
  ImportEditor imports_;
  FilePlan plan_;
  model::Verdict *decision_ = nullptr;
};

} // namespace

FilePlan planFile(const py::Tree &tree, const py::ScopeModel &model, const std::vector<analysis::Site> &sites,
                  const std::string &path, const LineIndex &lines, const std::map<uint32_t, model::Removal> &removals) {
  return Planner(tree, model, path, lines, removals).run(sites);
}

} // namespace poolify::rewrite

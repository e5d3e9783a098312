#include "pipeline/gate.h"

#include "pipeline/process.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

namespace poolify::pipeline {

llvm::Expected<CoverageMinimum> parseCoverageMinimum(std::string_view spec) {
  size_t eq = spec.rfind('=');
  std::string cat(eq == std::string_view::npos ? std::string_view() : spec.substr(0, eq));
  std::string num(eq == std::string_view::npos ? spec : spec.substr(eq + 1));
  if (!num.empty() && num.back() == '%')
    num.pop_back();
  // Plain decimals only: strtod also reads "nan", "inf", hex and leading blanks, and a NaN minimum
  // would pass every comparison.
  bool decimal = !num.empty() && num != "." && num.find_first_not_of("0123456789.") == std::string::npos &&
                 num.find('.') == num.rfind('.');
  double pct = decimal ? std::strtod(num.c_str(), nullptr) : -1;
  if (!decimal || !(pct >= 0 && pct <= 100))
    return llvm::createStringError(std::errc::invalid_argument,
                                   "poolify check: --min-coverage takes PCT or CATEGORY=PCT with PCT from 0 to 100, "
                                   "not '%s'",
                                   std::string(spec).c_str());
  return CoverageMinimum{cat, pct};
}

llvm::Error checkCategories(const std::vector<CoverageMinimum> &minimums, const config::Config &config) {
  for (const auto &minimum : minimums) {
    const std::string &cat = minimum.category;
    bool known = cat.empty() || cat == "other" ||
                 std::any_of(config.categories.begin(), config.categories.end(),
                             [&](const config::Category &c) { return c.name == cat; });
    if (!known)
      return llvm::createStringError(
          std::errc::invalid_argument, "%s",
          fmt::format("poolify check: --min-coverage names category '{}', which {} does not define", cat,
                      config.file.empty() ? std::string("no poolify.yaml") : config.file)
              .c_str());
  }
  return llvm::Error::success();
}

llvm::Expected<model::Baseline> readBaseline(const std::string &path) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf)
    return llvm::createStringError(buf.getError(), "%s: error: cannot read the baseline: %s", path.c_str(),
                                   buf.getError().message().c_str());
  auto parsed = llvm::json::parse((*buf)->getBuffer());
  if (!parsed)
    return llvm::createStringError(std::errc::invalid_argument, "%s: error: the baseline is not JSON: %s", path.c_str(),
                                   llvm::toString(parsed.takeError()).c_str());
  model::Baseline b;
  const llvm::json::Object *root = parsed->getAsObject();
  const llvm::json::Array *entries = root ? root->getArray("entries") : nullptr;
  if (!entries)
    return llvm::createStringError(std::errc::invalid_argument,
                                   "%s: error: a baseline is an object with an \"entries\" list (write one with "
                                   "poolify check --write-baseline)",
                                   path.c_str());
  size_t i = 0;
  for (const auto &e : *entries) {
    ++i;
    const llvm::json::Object *o = e.getAsObject();
    auto file = o ? o->getString("file") : llvm::None;
    auto rule = o ? o->getString("rule") : llvm::None;
    auto code = o ? o->getString("code") : llvm::None;
    auto count = o ? o->getInteger("count") : llvm::None;
    if (!file || !rule || !code)
      return llvm::createStringError(std::errc::invalid_argument,
                                     "%s: error: entry %zu needs \"file\", \"rule\" and \"code\"", path.c_str(), i);
    b.entries[{file->str(), rule->str(), code->str()}] += count ? static_cast<unsigned>(*count) : 1;
  }
  return b;
}

unsigned GateResult::errors() const {
  return static_cast<unsigned>(std::count_if(findings.begin(), findings.end(), [](const auto &f) { return f.error; }));
}

model::CheckTotals GateResult::totals() const {
  model::CheckTotals t;
  t.errors = errors();
  t.unanalyzable = static_cast<unsigned>(std::count_if(findings.begin(), findings.end(), [](const auto &f) {
    return f.error && (f.rule == kSyntax || f.rule == kUnanalyzable);
  }));
  t.warnings = static_cast<unsigned>(findings.size()) - t.errors;
  t.baselined = baselined;
  t.ignored = ignored;
  t.unsafeFixable = unsafeFixable;
  return t;
}

namespace {

std::string directMessage(const model::SiteRecord &r) {
  std::string what = r.kind == model::SiteRecord::Kind::Reference
                         ? fmt::format("direct reference to {}", r.callable)
                         : fmt::format("direct {} client ({})", r.rule, r.callable);
  if (r.outcome == model::Outcome::Removed)
    return what + "; poolify migrate removes this redundant override";
  if (r.unsafeFix() || (r.fixable() && !r.reason.empty()))
    return what + "; poolify migrate --unsafe-fixes rewrites it (unsafe: " + r.reason + ")";
  if (r.fixable())
    return what + "; poolify migrate rewrites it";
  return what + "; not rewritable: " + r.reason;
}

} // namespace

std::string baselineFolder(const std::string &baselineFile) {
  llvm::SmallString<256> dir(baselineFile);
  llvm::sys::fs::make_absolute(dir);
  llvm::sys::path::remove_filename(dir);
  llvm::SmallString<256> real, cwd;
  if (llvm::sys::fs::real_path(dir, real) || llvm::sys::fs::current_path(cwd))
    return std::string(dir); // a folder that is not there: the write says so
  return real == cwd ? std::string() : std::string(real);
}

namespace {

// `display` (relative to the current folder, or absolute) relative to the absolute folder `dir`.
std::string relativeTo(const std::string &display, const std::string &dir) {
  if (dir.empty())
    return display;
  llvm::SmallString<256> abs(display);
  llvm::sys::fs::make_absolute(abs);
  llvm::sys::path::remove_dots(abs, /*remove_dot_dot=*/true);
  std::vector<llvm::StringRef> a(llvm::sys::path::begin(abs), llvm::sys::path::end(abs));
  std::vector<llvm::StringRef> d(llvm::sys::path::begin(dir), llvm::sys::path::end(dir));
  size_t common = 0;
  while (common < a.size() && common < d.size() && a[common] == d[common])
    ++common;
  std::string out;
  for (size_t i = common; i < d.size(); ++i)
    out += "../";
  for (size_t i = common; i < a.size(); ++i)
    out += a[i].str() + (i + 1 < a.size() ? "/" : "");
  return out;
}

} // namespace

GateResult evaluateGate(const Run &run, model::Baseline baseline, const std::vector<model::MockTarget> &mocks,
                        bool strict, const std::string &baselineDir) {
  GateResult g;
  auto baselined = [&](const model::Baseline::Key &key) {
    ++g.current.entries[key];
    auto it = baseline.entries.find(key);
    if (it == baseline.entries.end() || it->second == 0)
      return false;
    --it->second;
    ++g.baselined;
    return true;
  };
  for (const auto &o : run.outcomes) {
    if (o.failed) {
      // A file that could not be analyzed: its sites are unknown, so it is a finding of its own.
      auto m = std::find_if(o.messages.begin(), o.messages.end(), [](const auto &x) { return !x.rule.empty(); });
      std::string rule = m != o.messages.end() ? m->rule : "unanalyzable";
      std::string reason = m != o.messages.end() ? m->reason : "the file could not be analyzed";
      ++g.unanalyzable;
      if (!baselined({relativeTo(o.file->display(), baselineDir), rule, reason}))
        g.findings.push_back({o.file->display(), m != o.messages.end() ? std::max(1u, m->line) : 1,
                              m != o.messages.end() ? std::max(1u, m->col) : 1, rule,
                              reason + "; poolify cannot analyze this file, so its sites are not checked", true,
                              reason});
      continue;
    }
    for (const auto &r : o.records) {
      if (!r.isDirect())
        continue;
      if (r.ignoredFor(r.rule)) {
        ++g.ignored;
        continue;
      }
      g.unsafeFixable += r.unsafeFix();
      if (baselined({relativeTo(o.file->display(), baselineDir), r.rule, r.code}))
        continue;
      g.findings.push_back({o.file->display(), r.line, r.col, r.rule, directMessage(r), true, r.code});
    }
  }
  for (const auto &t : mocks)
    g.findings.push_back({t.path, t.line, t.col, t.rule,
                          fmt::format("mock target '{}' stops intercepting once {}:{} uses the pool; patch the pool "
                                      "function instead",
                                      t.target, t.sitePath, t.siteLine),
                          strict, t.target});
  std::stable_sort(g.findings.begin(), g.findings.end(), [](const auto &a, const auto &b) {
    return std::tie(a.path, a.line, a.col) < std::tie(b.path, b.line, b.col);
  });
  return g;
}

std::vector<std::string> coverageShortfalls(const model::Manifest &m, const std::vector<CoverageMinimum> &minimums) {
  std::vector<std::string> out;
  for (const auto &[cat, pct] : minimums) {
    model::Counts c;
    if (cat.empty())
      c = m.total;
    else if (m.categories.count(cat))
      c = m.categories.at(cat);
    if (c.coverage() + 1e-9 < pct)
      out.push_back(fmt::format("coverage {} is {}%, below the required {}%",
                                cat.empty() ? std::string("in total") : "of category " + cat,
                                model::formatPercent(c.coverage()), pct));
  }
  return out;
}

} // namespace poolify::pipeline

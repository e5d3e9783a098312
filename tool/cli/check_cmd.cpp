// poolify check [PATH...] [--format text|json|sarif|github] [--baseline F] [--write-baseline F]
//               [--min-coverage PCT|CATEGORY=PCT]... [--strict]
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/run.h"
#include "output/findings.h"
#include "output/manifest.h"
#include "source/output_file.h"

#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

#include <fstream>

namespace poolify::cli {

namespace {

std::string directMessage(const pipeline::SiteRecord &r) {
  std::string what = r.kind == pipeline::SiteRecord::Kind::Reference
                         ? fmt::format("direct reference to {}", r.callable)
                         : fmt::format("direct {} client ({})", r.rule, r.callable);
  if (r.outcome == rewrite::SiteDecision::Outcome::Removed)
    return what + "; poolify migrate removes this redundant override";
  if (r.fixable())
    return what + "; poolify migrate rewrites it";
  return what + "; not rewritable: " + r.reason;
}

} // namespace

int runCheck() {
  std::string format = Format.empty() ? "text" : std::string(Format);
  if (!output::isFindingsFormat(format)) {
    llvm::errs() << "poolify check: --format must be text, json, sarif or github, not '" << format << "'\n";
    return 2;
  }
  // --min-coverage: PCT (total) or CATEGORY=PCT
  std::vector<std::pair<std::string, double>> minimums;
  for (const auto &spec : MinCoverage) {
    size_t eq = spec.rfind('=');
    std::string cat = eq == std::string::npos ? "" : spec.substr(0, eq);
    std::string num = eq == std::string::npos ? spec : spec.substr(eq + 1);
    if (!num.empty() && num.back() == '%')
      num.pop_back();
    char *end = nullptr;
    double pct = std::strtod(num.c_str(), &end);
    if (num.empty() || *end != '\0' || pct < 0 || pct > 100) {
      llvm::errs() << "poolify check: --min-coverage takes PCT or CATEGORY=PCT with PCT from 0 to 100, not '" << spec
                   << "'\n";
      return 2;
    }
    minimums.push_back({cat, pct});
  }
  output::Baseline baseline;
  if (!Baseline.empty()) {
    auto b = output::readBaseline(Baseline);
    if (!b) {
      llvm::errs() << llvm::toString(b.takeError()) << "\n";
      return 2;
    }
    baseline = std::move(*b);
  }
  auto prepared = prepareRun(std::vector<std::string>(Paths.begin(), Paths.end()));
  if (!prepared)
    return 2;
  Run &run = *prepared;
  for (const auto &minimum : minimums) {
    const std::string &cat = minimum.first;
    bool known = cat.empty() || cat == "other" ||
                 std::any_of(run.config.categories.begin(), run.config.categories.end(),
                             [&](const config::Category &c) { return c.name == cat; });
    if (!known) {
      llvm::errs() << fmt::format("poolify check: --min-coverage names category '{}', which {} does not define\n",
                                  cat, run.config.file.empty() ? std::string("no poolify.yaml") : run.config.file);
      return 2;
    }
  }
  analyze(run, /*withInherited=*/!minimums.empty());
  bool unanalyzable = printErrors(run);

  std::vector<output::Finding> findings;
  output::Baseline current;
  unsigned baselined = 0, ignored = 0;
  for (const auto &o : run.outcomes) {
    for (const auto &r : o.records) {
      if (r.kind != pipeline::SiteRecord::Kind::Direct && r.kind != pipeline::SiteRecord::Kind::Reference)
        continue;
      if (r.ignoredFor(r.rule)) {
        ++ignored;
        continue;
      }
      auto key = std::make_tuple(o.file.display, r.rule, r.code);
      ++current.entries[key];
      auto it = baseline.entries.find(key);
      if (it != baseline.entries.end() && it->second > 0) {
        --it->second;
        ++baselined;
        continue;
      }
      findings.push_back({o.file.display, r.line, r.col, r.rule, directMessage(r), true});
    }
  }
  if (!WriteBaseline.empty()) {
    if (auto err = source::writeOutputFile(WriteBaseline, output::renderBaseline(current))) { // whole or not at all
      llvm::errs() << WriteBaseline << ": error: cannot write the baseline: " << llvm::toString(std::move(err)) << "\n";
      return 2;
    }
    unsigned total = 0;
    for (const auto &[k, n] : current.entries)
      total += n;
    llvm::errs() << fmt::format("poolify: wrote a baseline of {} direct sites to {}\n", total, std::string(WriteBaseline));
    return unanalyzable ? 2 : 0;
  }
  // Tests whose patches stop intercepting once their target is migrated.
  auto lookup = [&](size_t i) -> const std::vector<pipeline::SiteRecord> & { return recordsOf(run, i); };
  for (const auto &t : output::findMockTargets(run.outcomes, lookup))
    findings.push_back({t.path, t.line, t.col, t.rule,
                        fmt::format("mock target '{}' stops intercepting once {}:{} uses the pool; patch the pool "
                                    "function instead",
                                    t.target, t.sitePath, t.siteLine),
                        static_cast<bool>(Strict)});
  std::stable_sort(findings.begin(), findings.end(), [](const auto &a, const auto &b) {
    return std::tie(a.path, a.line, a.col) < std::tie(b.path, b.line, b.col);
  });
  bool below = false;
  if (!minimums.empty()) {
    output::Manifest m = output::buildManifest(run.outcomes, categoriesOf(run), run.inherited);
    for (const auto &[cat, pct] : minimums) {
      output::Counts c;
      if (cat.empty())
        c = m.total;
      else if (m.categories.count(cat))
        c = m.categories.at(cat);
      if (c.coverage() + 1e-9 < pct) {
        below = true;
        llvm::errs() << fmt::format("poolify: coverage {} is {}%, below the required {}%\n",
                                    cat.empty() ? std::string("in total") : "of category " + cat,
                                    output::formatPercent(c.coverage()), pct);
      }
    }
  }
  llvm::outs() << output::renderFindings(format, findings, run.rules);
  unsigned errors = std::count_if(findings.begin(), findings.end(), [](const auto &f) { return f.error; });
  llvm::errs() << fmt::format("poolify: {} direct sites fail the check, {} warnings ({} in the baseline, {} ignored "
                              "by comment)\n",
                              errors, findings.size() - errors, baselined, ignored);
  if (unanalyzable)
    return 2;
  return errors || below ? 1 : 0;
}

} // namespace poolify::cli

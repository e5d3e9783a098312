#include "pipeline/examples.h"

#include "pipeline/process.h"

#include <fmt/format.h>

namespace poolify::pipeline {

std::vector<model::ExampleResult> runExamples(const std::vector<rules::Rule> &rules) {
  std::vector<model::ExampleResult> results;
  for (const auto &r : rules) {
    std::vector<rules::Rule> only{r};
    for (size_t i = 0; i < r.examples.size(); ++i) {
      const auto &ex = r.examples[i];
      model::ExampleResult result;
      result.ruleFile = r.file;
      result.label = fmt::format("{}#{}{}", r.id, i + 1, ex.name.empty() ? "" : " (" + ex.name + ")");
      result.path = fmt::format("example_{}.py", i + 1);
      analysis::FileContext context;
      context.unsafeFixes = ex.unsafeFixes;
      auto out = processText({result.path, result.path}, ex.before, only, context);
      result.passed = !out.failed && out.result() == ex.after;
      if (!result.passed) {
        result.expected = ex.after;
        result.actual = out.result();
        for (const auto &m : out.messages)
          result.messages.push_back(m.text);
      }
      results.push_back(std::move(result));
    }
  }
  return results;
}

} // namespace poolify::pipeline

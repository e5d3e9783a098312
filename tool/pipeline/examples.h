// `rules test`: each rule's examples run through the whole per-file pipeline with that rule alone,
// `before` rewritten and compared with `after`.
#pragma once

#include "model/summary.h"
#include "rules/rule.h"

#include <vector>

namespace poolify::pipeline {

/// Every example of every rule, in order: passed when its `before` becomes exactly its `after`.
std::vector<model::ExampleResult> runExamples(const std::vector<rules::Rule> &rules);

} // namespace poolify::pipeline

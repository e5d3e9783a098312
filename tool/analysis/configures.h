// What a file's text configures or closes, and through which name: `X.session.headers...`,
// `X.y.auth = ...`, `del X.y.auth`, `SESSION.mount(...)`, `X.client.close()`. A scan of the text
// (strings and comments skipped), not of a tree: it runs on every file a run reads, parsed or not
// (a subclass that configures its base's session need not name any rule's trigger word). The
// reduce step matches what it finds against the names that hold the objects of other files'
// sites (model::Holder; pipeline/reduce.cpp: leaveConfiguredElsewhere).
#pragma once

#include "model/outcome.h"
#include "rules/rule.h"

#include <string>
#include <string_view>
#include <vector>

namespace poolify::analysis {

/// The attributes whose use configures an object the rules pool (`leave_if_configured` of the
/// rewrites that make the pooled object itself: `leave_closed`), and `close` when there is such a
/// rewrite, sorted and unique; empty when no rule pools an object of its own.
std::vector<std::string> configuringAttributes(const std::vector<rules::Rule> &rules);

/// The first `HOLDER.ATTR` in `text` of each holder, attribute and form (HOLDER an attribute itself or
/// a bare name) with ATTR one of `attributes` (`close` only when called: `HOLDER.close(`), in
/// order: HOLDER is the name right before the attribute (`session` in
/// `self.session.headers`, `SESSION` in `b.SESSION.auth`). Text in strings and comments is skipped.
std::vector<model::ConfigUse> scanConfigUses(std::string_view text, const std::vector<std::string> &attributes);

} // namespace poolify::analysis

// The reduce step of a run, between the per-file maps: the class index across all files decides
// which client overrides in subclasses are redundant (their files are planned again with those
// removals), and which classes get a pooled client from a base (for the manifest). For migrate
// (finalEdits): the sites test patches reach are held when no retargeted patch can stand for the
// one that reached them (pipeline/intercept.h), imports other modules use are kept, and test
// patches are retargeted with the code.
#pragma once

#include "pipeline/engine.h"

namespace poolify::pipeline {

/// Decides overrides across `run`'s files and replans the files that hold removed ones; with
/// run.options.withInherited, fills run.inherited. Problems found go to run.warnings.
void reduce(Run &run);

/// The outcome of a file the reduce step could not read again as it was analyzed (changed on disk,
/// gone): "<file>: error: <why>; file not rewritten".
model::FileOutcome notRewritten(const model::SourceFile &file, llvm::Error why);

} // namespace poolify::pipeline

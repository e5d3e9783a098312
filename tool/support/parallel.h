// Work spread over threads: the per-file steps of a run, and the listing of its folders.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

namespace poolify {

/// Runs work(i) for each index on `jobs` threads (0: all cores); each index writes only its own slot.
void parallelFor(const std::vector<size_t> &indices, unsigned jobs, const std::function<void(size_t)> &work);

/// Runs work(0), ..., work(count - 1) as parallelFor does.
void parallelFor(size_t count, unsigned jobs, const std::function<void(size_t)> &work);

} // namespace poolify

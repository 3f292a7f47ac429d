#pragma once
// Builds the store the options ask for: Redis with -r, else the embedded store in the data
// directory. The daemon and the test environment both use it.

#include <memory>
#include <string>

#include "core/options.h"
#include "store/kv_store.h"

namespace flowlens::store {

Result<std::unique_ptr<KvStore>> openStore(const Options& options, const std::string& data_dir);

}  // namespace flowlens::store

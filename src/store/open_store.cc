#include "store/open_store.h"

#include "core/log.h"
#include "store/embedded_store.h"
#include "store/redis_store.h"

namespace flowlens::store {

Result<std::unique_ptr<KvStore>> openStore(const Options& options, const std::string& data_dir) {
  if (options.redis) {
    RedisStore::Config config;
    config.endpoint = *options.redis;
    auto redis = std::make_unique<RedisStore>(config);
    if (!redis->ping()) {
      log::warning("Redis is not reachable now; flowlens carries on and reconnects by itself");
    }
    return std::unique_ptr<KvStore>(std::move(redis));
  }
  auto embedded = EmbeddedStore::open({data_dir + "/flowlens-store.sqlite"});
  if (!embedded) return Error{embedded.error()};
  return std::unique_ptr<KvStore>(std::move(embedded.value()));
}

}  // namespace flowlens::store

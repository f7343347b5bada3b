#include "common/redis/redis_client.h"

#include <openssl/sha.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/log.h"
#include "common/base/text_rules.h"
#include "common/redis/redis_cluster.h"
#include "common/redis/redis_node_pool.h"
#include "common/redis/redis_slot.h"

namespace bulletin {
namespace {

std::string Sha1Hex(const std::string& s) {
  unsigned char d[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(d), sizeof(d)));
}

}  // namespace

absl::Status RedisReply::ToStatus() const {
  if (type != Type::kError) return absl::OkStatus();
  // Only Redis' error code ("ERR", "WRONGTYPE", "NOSCRIPT", ...) goes into the status, which
  // may reach a client: the rest of the text can name keys, scripts and their lines.
  std::string code = str.substr(0, str.find(' '));
  if (code.size() > 24 || !std::all_of(code.begin(), code.end(), [](char c) {
        return absl::ascii_isupper(static_cast<unsigned char>(c)) || c == '_';
      })) {
    code = "ERR";
  }
  // Replies the callers expect and handle (a script to load, a group that exists or not).
  const bool expected = code == "NOSCRIPT" || code == "BUSYGROUP" || code == "NOGROUP";
  Logger()->log(expected ? spdlog::level::debug : spdlog::level::warn, "redis error reply: {}",
                Excerpt(str, 200));
  for (const char* transient :
       {"LOADING", "BUSY", "OOM", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN", "READONLY"}) {
    if (code == transient) {
      return absl::UnavailableError(absl::StrCat("redis: ", code, " (retry later)"));
    }
  }
  return absl::InternalError(absl::StrCat("redis: ", code, " error reply"));
}

RedisClient::RedisClient(RedisOptions options) : options_(std::move(options)) {
  if (options_.cluster) {
    cluster_ = std::make_unique<RedisCluster>(options_);
  } else {
    node_ = std::make_unique<RedisNodePool>(options_.host, options_.port, options_);
  }
}

RedisClient::~RedisClient() = default;

absl::StatusOr<std::vector<RedisReply>> RedisClient::Run(const std::vector<RedisArgv>& commands,
                                                         absl::Duration timeout, int keyless_slot) {
  if (cluster_) return cluster_->Run(commands, timeout, keyless_slot);
  return node_->Run(commands, timeout);
}

absl::StatusOr<RedisReply> RedisClient::Command(const RedisArgv& argv) {
  return BlockingCommand(argv, options_.command_timeout);
}

absl::StatusOr<RedisReply> RedisClient::BlockingCommand(const RedisArgv& argv,
                                                        absl::Duration timeout) {
  absl::StatusOr<std::vector<RedisReply>> replies = Run({argv}, timeout);
  if (!replies.ok()) return replies.status();
  RedisReply& r = replies->front();
  if (r.is_error()) return r.ToStatus();
  return std::move(r);
}

absl::StatusOr<RedisReply> RedisClient::CommandWhere(const std::string& key,
                                                     const RedisArgv& argv) {
  absl::StatusOr<std::vector<RedisReply>> replies =
      Run({argv}, options_.command_timeout, KeySlot(key));
  if (!replies.ok()) return replies.status();
  RedisReply& r = replies->front();
  if (r.is_error()) return r.ToStatus();
  return std::move(r);
}

absl::StatusOr<std::vector<RedisReply>> RedisClient::Pipeline(
    const std::vector<RedisArgv>& commands) {
  if (commands.empty()) return std::vector<RedisReply>();
  return Run(commands, options_.command_timeout);
}

absl::StatusOr<RedisReply> RedisClient::Eval(const std::string& script,
                                             const std::vector<std::string>& keys,
                                             const std::vector<std::string>& args) {
  std::string sha = Sha1Hex(script);
  RedisArgv argv = {"EVALSHA", sha, absl::StrCat(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  // On a cluster the script cache is per node: NOSCRIPT comes from the node the keys
  // route to, and the EVAL goes to that same node.
  absl::StatusOr<RedisReply> r = Command(argv);
  if (!r.ok() && r.status().message().find("NOSCRIPT") != absl::string_view::npos) {
    argv[0] = "EVAL";
    argv[1] = script;
    return Command(argv);
  }
  return r;
}

std::string ScriptSha(const std::string& script) { return Sha1Hex(script); }

std::string DebugString(const RedisReply& r) {
  switch (r.type) {
    case RedisReply::Type::kNil:
      return "(nil)";
    case RedisReply::Type::kInteger:
      return absl::StrCat("(integer) ", r.integer);
    case RedisReply::Type::kError:
      return "(error) " + r.str;
    case RedisReply::Type::kArray: {
      std::vector<std::string> parts;
      for (const auto& e : r.elements) parts.push_back(DebugString(e));
      return "[" + absl::StrJoin(parts, ", ") + "]";
    }
    default:
      return "\"" + r.str + "\"";
  }
}

}  // namespace bulletin

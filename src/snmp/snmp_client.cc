#include "snmp/snmp_client.h"

// clang-format off
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
// clang-format on

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>

#include "util/text.h"

namespace flowlens::snmp {
namespace {

// net-snmp's USM user and engine lists are process-wide: one SNMPv3 request at a time, each
// waiting for its turn at most the time it has.
std::timed_mutex& usmMutex() {
  static std::timed_mutex mu;
  return mu;
}

void globalInit() {
  static std::once_flag once;
  std::call_once(once, [] {
    // No MIB, no configuration or state files, no log output of its own: flowlens reports.
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_CONFIG_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIBDIRS, "/nonexistent");
    netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS, 0);
    snmp_disable_log();
    init_snmp("flowlens");
  });
}

std::string oidText(const oid* name, size_t len) {
  std::string s;
  for (size_t i = 0; i < len; ++i) {
    if (i) s += '.';
    s += std::to_string(name[i]);
  }
  return s;
}

// Uppercase hex, as ntopng writes binary values.
std::string hex(const u_char* p, size_t n) {
  std::string s = util::toHex(p, n);
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// ntopng's rendering of an OCTET STRING: printable text as it is; binary as uppercase hex,
// but 4 bytes as a dotted quad (an address in a string).
std::string octets(const u_char* p, size_t n) {
  bool printable = true;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = p[i];
    if (!(std::isprint(c) || std::isspace(c))) {
      printable = false;
      break;
    }
  }
  if (printable) return std::string(reinterpret_cast<const char*>(p), n);
  if (n == 4) {
    return std::to_string(p[0]) + "." + std::to_string(p[1]) + "." + std::to_string(p[2]) + "." +
           std::to_string(p[3]);
  }
  return hex(p, n);
}

std::optional<std::string> render(const netsnmp_variable_list* v) {
  switch (v->type) {
    case ASN_INTEGER: return std::to_string(*v->val.integer);
    case ASN_COUNTER:
    case ASN_GAUGE:
    case ASN_TIMETICKS:
    case ASN_UINTEGER:
      return std::to_string(static_cast<uint32_t>(*v->val.integer));
    case ASN_COUNTER64: {
      const uint64_t c = (uint64_t(v->val.counter64->high) << 32) | v->val.counter64->low;
      return std::to_string(c);
    }
    case ASN_OCTET_STR:
    case ASN_OPAQUE: return octets(v->val.string, v->val_len);
    case ASN_OBJECT_ID: return oidText(v->val.objid, v->val_len / sizeof(oid));
    case ASN_IPADDRESS: {
      const u_char* p = v->val.string;
      if (v->val_len != 4) return hex(p, v->val_len);
      return std::to_string(p[0]) + "." + std::to_string(p[1]) + "." + std::to_string(p[2]) +
             "." + std::to_string(p[3]);
    }
    default: return std::nullopt;  // NULL, noSuchObject, noSuchInstance, endOfMibView
  }
}

struct SessionCloser {
  void operator()(void* s) const { snmp_sess_close(s); }
};

// net-snmp keeps the USM user an SNMPv3 session created (name, engine, keys) in a process-wide
// list, and a later session of the same name to the same engine would use those keys instead
// of its own: a wrong passphrase would then work. Each request forgets its user when done
// (under usmMutex, held for the whole v3 request).
void forgetUsmUser(void* session, const std::string& user) {
  netsnmp_session* ss = snmp_sess_session(session);
  if (!ss || ss->securityEngineIDLen == 0) return;
  while (usmUser* u = usm_get_user(ss->securityEngineID, ss->securityEngineIDLen,
                                   const_cast<char*>(user.c_str()))) {
    usm_remove_user(u);
    usm_free_user(u);
  }
}
struct PduFree {
  void operator()(netsnmp_pdu* p) const { snmp_free_pdu(p); }
};

bool iequals(const std::string& a, const char* b) { return strcasecmp(a.c_str(), b) == 0; }

// Fills the session's USM fields; an error for unknown protocols or unusable passphrases.
Status setUpV3(netsnmp_session& s, const Credentials& c) {
  s.version = SNMP_VERSION_3;
  s.securityName = const_cast<char*>(c.user.c_str());
  s.securityNameLen = c.user.size();
  if (c.user.empty()) return Error{"SNMPv3 needs a user"};
  if (c.level.empty() || iequals(c.level, "noAuthNoPriv")) {
    s.securityLevel = SNMP_SEC_LEVEL_NOAUTH;
  } else if (iequals(c.level, "authNoPriv")) {
    s.securityLevel = SNMP_SEC_LEVEL_AUTHNOPRIV;
  } else if (iequals(c.level, "authPriv")) {
    s.securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
  } else {
    return Error{"unknown SNMPv3 level '" + c.level + "'"};
  }
  if (!c.context.empty()) {
    s.contextName = const_cast<char*>(c.context.c_str());
    s.contextNameLen = c.context.size();
  }
  if (s.securityLevel == SNMP_SEC_LEVEL_NOAUTH) return {};
  const oid* auth = nullptr;
  if (iequals(c.auth_protocol, "MD5")) auth = usmHMACMD5AuthProtocol;
  else if (iequals(c.auth_protocol, "SHA") || iequals(c.auth_protocol, "SHA1")) auth = usmHMACSHA1AuthProtocol;
  else if (iequals(c.auth_protocol, "SHA224")) auth = usmHMAC128SHA224AuthProtocol;
  else if (iequals(c.auth_protocol, "SHA256")) auth = usmHMAC192SHA256AuthProtocol;
  else if (iequals(c.auth_protocol, "SHA384")) auth = usmHMAC256SHA384AuthProtocol;
  else if (iequals(c.auth_protocol, "SHA512")) auth = usmHMAC384SHA512AuthProtocol;
  else return Error{"unknown SNMPv3 authentication protocol '" + c.auth_protocol + "'"};
  s.securityAuthProto = const_cast<oid*>(auth);
  s.securityAuthProtoLen = USM_AUTH_PROTO_MD5_LEN;
  s.securityAuthKeyLen = USM_AUTH_KU_LEN;
  if (c.auth_passphrase.size() < 8) return Error{"SNMPv3 passphrases have at least 8 characters"};
  if (generate_Ku(s.securityAuthProto, s.securityAuthProtoLen,
                  reinterpret_cast<const u_char*>(c.auth_passphrase.data()),
                  c.auth_passphrase.size(), s.securityAuthKey,
                  &s.securityAuthKeyLen) != SNMPERR_SUCCESS) {
    return Error{"cannot derive the SNMPv3 authentication key"};
  }
  if (s.securityLevel != SNMP_SEC_LEVEL_AUTHPRIV) return {};
  if (iequals(c.priv_protocol, "DES")) {
    s.securityPrivProto = usmDESPrivProtocol;
  } else if (iequals(c.priv_protocol, "AES") || iequals(c.priv_protocol, "AES128")) {
    s.securityPrivProto = usmAESPrivProtocol;
  } else {
    return Error{"unknown SNMPv3 privacy protocol '" + c.priv_protocol + "'"};
  }
  s.securityPrivProtoLen = USM_PRIV_PROTO_DES_LEN;
  s.securityPrivKeyLen = USM_PRIV_KU_LEN;
  if (c.priv_passphrase.size() < 8) return Error{"SNMPv3 passphrases have at least 8 characters"};
  if (generate_Ku(s.securityAuthProto, s.securityAuthProtoLen,
                  reinterpret_cast<const u_char*>(c.priv_passphrase.data()),
                  c.priv_passphrase.size(), s.securityPrivKey,
                  &s.securityPrivKeyLen) != SNMPERR_SUCCESS) {
    return Error{"cannot derive the SNMPv3 privacy key"};
  }
  return {};
}

}  // namespace

std::optional<std::vector<uint64_t>> parseOid(const std::string& text) {
  std::string_view t = text;
  if (!t.empty() && t.front() == '.') t.remove_prefix(1);
  if (t.empty()) return std::nullopt;
  std::vector<uint64_t> out;
  uint64_t cur = 0;
  bool digits = false;
  for (char c : t) {
    if (c == '.') {
      if (!digits) return std::nullopt;
      out.push_back(cur);
      cur = 0;
      digits = false;
    } else if (c >= '0' && c <= '9') {
      if (cur > (UINT32_MAX - uint64_t(c - '0')) / 10) return std::nullopt;  // sub-ids are 32-bit
      cur = cur * 10 + uint64_t(c - '0');
      digits = true;
    } else {
      return std::nullopt;
    }
  }
  if (!digits) return std::nullopt;
  out.push_back(cur);
  if (out.size() < 2 || out.size() > MAX_OID_LEN) return std::nullopt;
  return out;
}

Result<std::vector<Varbind>> perform(const Request& req) {
  globalInit();
  if (req.host.empty()) return Error{"no host"};
  const size_t count = req.op == Request::Op::kSet ? req.values.size() : req.oids.size();
  if (count == 0) return Error{"no OID"};
  if (count > kMaxOids) return Error{"at most " + std::to_string(kMaxOids) + " OIDs a request"};

  const auto started = std::chrono::steady_clock::now();
  netsnmp_session s;
  snmp_sess_init(&s);
  s.peername = const_cast<char*>(req.host.c_str());
  const Credentials& c = req.credentials;
  const bool v3 = c.version == Credentials::Version::kV3;
  // Two tries share the request's time; SNMPv3 makes two exchanges (engine discovery, then the
  // request), so each gets half of that.
  s.retries = 1;
  s.timeout = std::max<long>(1000, static_cast<long>(req.timeout.count()) * 1000 / (v3 ? 4 : 2));
  std::unique_lock<std::timed_mutex> usm_lock(usmMutex(), std::defer_lock);
  if (v3) {
    if (Status st = setUpV3(s, c); !st) return Error{st.error()};
    // Engine discovery and key localisation touch net-snmp's global lists.
    if (!usm_lock.try_lock_for(req.timeout)) {
      return Error{"SNMPv3 requests of other scripts kept " + req.host + "'s waiting too long"};
    }
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    const long left_us = static_cast<long>((req.timeout - waited).count()) * 1000;
    s.timeout = std::max<long>(1000, std::min<long>(s.timeout, left_us / 4));
  } else {
    s.version = c.version == Credentials::Version::kV1 ? SNMP_VERSION_1 : SNMP_VERSION_2c;
    s.community = reinterpret_cast<u_char*>(const_cast<char*>(c.community.c_str()));
    s.community_len = c.community.size();
  }
  std::unique_ptr<void, SessionCloser> session(snmp_sess_open(&s));
  if (!session) {
    char* err = nullptr;
    snmp_error(&s, nullptr, nullptr, &err);
    std::string msg = std::string("cannot open an SNMP session to ") + req.host + ": " +
                      (err ? err : "?");
    free(err);
    return Error{msg};
  }

  int type = SNMP_MSG_GET;
  if (req.op == Request::Op::kGetNext) type = SNMP_MSG_GETNEXT;
  if (req.op == Request::Op::kSet) type = SNMP_MSG_SET;
  const bool bulk = req.op == Request::Op::kGetBulk && c.version != Credentials::Version::kV1;
  if (req.op == Request::Op::kGetBulk) type = bulk ? SNMP_MSG_GETBULK : SNMP_MSG_GETNEXT;
  netsnmp_pdu* pdu = snmp_pdu_create(type);
  if (bulk) {
    pdu->non_repeaters = 0;
    pdu->max_repetitions = std::clamp(req.bulk_repetitions, 1, 255);
  }
  auto addOid = [&](const std::string& text, std::vector<oid>& name) -> Status {
    auto parsed = parseOid(text);
    if (!parsed) return Error{"not a numeric OID: '" + text + "'"};
    name.assign(parsed->begin(), parsed->end());
    return {};
  };
  for (size_t i = 0; i < count; ++i) {
    std::vector<oid> name;
    const std::string& text = req.op == Request::Op::kSet ? req.values[i].oid : req.oids[i];
    if (Status st = addOid(text, name); !st) {
      snmp_free_pdu(pdu);
      return Error{st.error()};
    }
    if (req.op == Request::Op::kSet) {
      const SetValue& v = req.values[i];
      if (snmp_add_var(pdu, name.data(), name.size(), v.type, v.value.c_str()) != 0) {
        snmp_free_pdu(pdu);
        return Error{"cannot set " + text + " to '" + v.value + "' as type '" +
                     std::string(1, v.type) + "'"};
      }
    } else {
      snmp_add_null_var(pdu, name.data(), name.size());
    }
  }

  netsnmp_pdu* raw = nullptr;
  const int status = snmp_sess_synch_response(session.get(), pdu, &raw);
  std::unique_ptr<netsnmp_pdu, PduFree> response(raw);
  if (c.version == Credentials::Version::kV3) forgetUsmUser(session.get(), c.user);
  if (status == STAT_TIMEOUT) return Error{"no answer from " + req.host};
  if (status != STAT_SUCCESS || !response) {
    int liberr = 0, syserr = 0;
    char* err = nullptr;
    snmp_sess_error(session.get(), &liberr, &syserr, &err);
    std::string msg = std::string("SNMP request to ") + req.host + " failed: " + (err ? err : "?");
    free(err);
    return Error{msg};
  }
  if (response->command == SNMP_MSG_REPORT) return Error{"SNMPv3 report from " + req.host};
  if (response->errstat != SNMP_ERR_NOERROR) {
    return Error{std::string(snmp_errstring(static_cast<int>(response->errstat))) + " (varbind " +
                 std::to_string(response->errindex) + ")"};
  }
  std::vector<Varbind> out;
  for (netsnmp_variable_list* v = response->variables; v; v = v->next_variable) {
    if (auto value = render(v)) out.push_back({oidText(v->name, v->name_length), *value});
  }
  return out;
}

AsyncEngine::~AsyncEngine() {
  for (Worker& w : workers_) w.thread.join();
}

Status AsyncEngine::submit(Request request) {
  std::lock_guard<std::mutex> lock(mu_);
  // Join the workers that are done, so a long run does not pile threads up.
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (it->done->load()) {
      it->thread.join();
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
  if (running_ + ready_.size() >= kMaxInFlight) {
    return Error{"at most " + std::to_string(kMaxInFlight) + " requests pending"};
  }
  ++running_;
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::thread t([this, done, r = std::move(request)] {
    Answer a{r.tag, perform(r)};
    std::lock_guard<std::mutex> l(mu_);
    ready_.push_back(std::move(a));
    --running_;
    done->store(true);
    cv_.notify_all();
  });
  workers_.push_back({std::move(t), std::move(done)});
  return {};
}

std::optional<Answer> AsyncEngine::next(std::chrono::milliseconds wait) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, wait, [this] { return !ready_.empty() || running_ == 0; });
  if (ready_.empty()) return std::nullopt;
  Answer a = std::move(ready_.front());
  ready_.pop_front();
  return a;
}

size_t AsyncEngine::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return running_ + ready_.size();
}

}  // namespace flowlens::snmp

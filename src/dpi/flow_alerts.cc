#include "dpi/flow_alerts.h"

#include <ndpi/ndpi_api.h>

#include <algorithm>
#include <array>

#include "dpi/dpi_engine.h"

namespace flowlens::dpi {
namespace {

using C = AlertCategory;

// ntopng's flow alerts that are not nDPI risks, with their default scores
// (include/flow_alerts/*.h getDefaultScore()); keys as ntopng's flow_alert_keys.lua spells them.
constexpr FlowAlertType kOtherAlerts[] = {
    {1, "blacklisted", C::kSecurity, kScoreCritical},
    {2, "blacklisted_country", C::kSecurity, kScoreError},
    {3, "flow_blocked", C::kSecurity, kScoreWarning},
    {4, "data_exfiltration", C::kSecurity, kScoreError},
    {5, "device_protocol_not_allowed", C::kSecurity, kScoreError},
    {6, "dns_data_exfiltration", C::kSecurity, kScoreWarning},
    {7, "dns_invalid_query", C::kSecurity, kScoreNotice},
    {8, "elephant_flow", C::kSecurity, kScoreWarning},
    {9, "blacklisted_client_contact", C::kSecurity, kScoreWarning},
    {10, "external", C::kSecurity, kScoreError},
    {11, "longlived", C::kSecurity, kScoreNotice},
    {12, "low_goodput", C::kNetwork, kScoreNotice},
    {13, "blacklisted_server_contact", C::kSecurity, kScoreCritical},
    {14, "internals", C::kInternals, kScoreWarning},
    {16, "remote_to_remote", C::kNetwork, kScoreNotice},
    {19, "tcp_packets_issues", C::kSecurity, kScoreError},
    {27, "web_mining", C::kSecurity, kScoreWarning},
    {32, "unexpected_dhcp_server", C::kSecurity, kScoreError},
    {33, "unexpected_dns_server", C::kSecurity, kScoreError},
    {34, "unexpected_smtp_server", C::kSecurity, kScoreError},
    {35, "unexpected_ntp_server", C::kSecurity, kScoreError},
    {36, "zero_tcp_window", C::kNetwork, kScoreNotice},
    {37, "iec_invalid_transition", C::kSecurity, kScoreNotice},
    {38, "remote_to_local_insecure_proto", C::kSecurity, kScoreError},
    {55, "iec_unexpected_type_id", C::kSecurity, kScoreNotice},
    {56, "tcp_no_data_exchanged", C::kNetwork, kScoreNotice},
    {57, "remote_access", C::kNetwork, kScoreNotice},
    {58, "lateral_movement", C::kNetwork, kScoreWarning},
    {59, "periodicity_changed", C::kNetwork, kScoreNotice},
    {67, "broadcast_non_udp_traffic", C::kSecurity, kScoreError},
    {74, "iec_invalid_command_transition", C::kSecurity, kScoreNotice},
    {75, "connection_failed", C::kNetwork, kScoreWarning},
    {87, "custom_lua_script", C::kSecurity, kScoreError},
    {91, "vlan_bidirectional_traffic", C::kSecurity, kScoreError},
    {92, "rare_destination", C::kNetwork, kScoreNotice},
    {93, "modbus_unexpected_function_code", C::kSecurity, kScoreError},
    {94, "modbus_too_many_exceptions", C::kSecurity, kScoreError},
    {95, "modbus_invalid_transition", C::kSecurity, kScoreNotice},
    {100, "tcp_flow_reset", C::kNetwork, kScoreNotice},
    {102, "access_control_list", C::kNetwork, kScoreError},
    {103, "host_policy", C::kNetwork, kScoreCritical},
    {104, "qoe_degraded", C::kNetwork, kScoreWarning},
    {106, "nedge_policy_violation", C::kSecurity, kScoreSevere},
    {108, "s7comm_unexpected_function_code", C::kSecurity, kScoreError},
    {109, "s7comm_too_many_errors", C::kSecurity, kScoreError},
    {110, "s7comm_invalid_transition", C::kSecurity, kScoreNotice},
};

struct RiskAlert {
  ndpi_risk_enum risk;
  int id;
  std::string_view key;
  AlertCategory category;
};

// nDPI 4.2's risks and ntopng's alert for each (src/FlowRiskAlerts.cpp, as of the ntopng
// releases built on nDPI 4.2: the ESNI risk has its own alert, 51).
constexpr RiskAlert kRiskAlerts[] = {
    {NDPI_URL_POSSIBLE_XSS, 39, "ndpi_url_possible_xss", C::kSecurity},
    {NDPI_URL_POSSIBLE_SQL_INJECTION, 40, "ndpi_url_possible_sql_injection", C::kSecurity},
    {NDPI_URL_POSSIBLE_RCE_INJECTION, 41, "ndpi_url_possible_rce_injection", C::kSecurity},
    {NDPI_BINARY_APPLICATION_TRANSFER, 29, "binary_application_transfer", C::kSecurity},
    {NDPI_KNOWN_PROTOCOL_ON_NON_STANDARD_PORT, 30, "known_proto_on_non_std_port", C::kSecurity},
    {NDPI_TLS_SELFSIGNED_CERTIFICATE, 28, "tls_certificate_selfsigned", C::kSecurity},
    {NDPI_TLS_OBSOLETE_VERSION, 24, "ndpi_tls_old_protocol_version", C::kSecurity},
    {NDPI_TLS_WEAK_CIPHER, 25, "tls_unsafe_ciphers", C::kSecurity},
    {NDPI_TLS_CERTIFICATE_EXPIRED, 22, "tls_certificate_expired", C::kSecurity},
    {NDPI_TLS_CERTIFICATE_MISMATCH, 23, "tls_certificate_mismatch", C::kSecurity},
    {NDPI_HTTP_SUSPICIOUS_USER_AGENT, 42, "ndpi_http_suspicious_user_agent", C::kSecurity},
    {NDPI_HTTP_NUMERIC_IP_HOST, 43, "ndpi_numeric_ip_host", C::kSecurity},
    {NDPI_HTTP_SUSPICIOUS_URL, 44, "ndpi_http_suspicious_url", C::kSecurity},
    {NDPI_HTTP_SUSPICIOUS_HEADER, 45, "ndpi_http_suspicious_header", C::kSecurity},
    {NDPI_TLS_NOT_CARRYING_HTTPS, 46, "ndpi_tls_not_carrying_https", C::kSecurity},
    {NDPI_SUSPICIOUS_DGA_DOMAIN, 47, "ndpi_suspicious_dga_domain", C::kSecurity},
    {NDPI_MALFORMED_PACKET, 48, "ndpi_malformed_packet", C::kSecurity},
    {NDPI_SSH_OBSOLETE_CLIENT_VERSION_OR_CIPHER, 61, "ndpi_ssh_obsolete_client", C::kSecurity},
    {NDPI_SSH_OBSOLETE_SERVER_VERSION_OR_CIPHER, 49, "ndpi_ssh_obsolete_server", C::kSecurity},
    {NDPI_SMB_INSECURE_VERSION, 50, "ndpi_smb_insecure_version", C::kSecurity},
    {NDPI_TLS_SUSPICIOUS_ESNI_USAGE, 51, "ndpi_tls_suspicious_esni_usage", C::kSecurity},
    {NDPI_UNSAFE_PROTOCOL, 52, "ndpi_unsafe_protocol", C::kSecurity},
    {NDPI_DNS_SUSPICIOUS_TRAFFIC, 53, "ndpi_dns_suspicious_traffic", C::kSecurity},
    {NDPI_TLS_MISSING_SNI, 54, "ndpi_tls_missing_sni", C::kSecurity},
    {NDPI_HTTP_SUSPICIOUS_CONTENT, 63, "ndpi_http_suspicious_content", C::kSecurity},
    {NDPI_RISKY_ASN, 85, "ndpi_risky_asn", C::kSecurity},
    {NDPI_RISKY_DOMAIN, 86, "ndpi_risky_domain", C::kSecurity},
    {NDPI_MALICIOUS_JA3, 79, "ndpi_malicious_ja3", C::kSecurity},
    {NDPI_MALICIOUS_SHA1_CERTIFICATE, 80, "ndpi_malicious_sha1_certificate", C::kSecurity},
    {NDPI_DESKTOP_OR_FILE_SHARING_SESSION, 78, "ndpi_desktop_or_file_sharing_session",
     C::kSecurity},
    {NDPI_TLS_UNCOMMON_ALPN, 81, "ndpi_tls_uncommon_alpn", C::kOther},
    {NDPI_TLS_CERT_VALIDITY_TOO_LONG, 60, "ndpi_tls_cert_validity_too_long", C::kSecurity},
    {NDPI_TLS_SUSPICIOUS_EXTENSION, 82, "ndpi_tls_suspicious_extension", C::kSecurity},
    {NDPI_TLS_FATAL_ALERT, 83, "ndpi_tls_fatal_alert", C::kOther},
    {NDPI_SUSPICIOUS_ENTROPY, 73, "ndpi_suspicious_entropy", C::kSecurity},
    {NDPI_CLEAR_TEXT_CREDENTIALS, 62, "ndpi_clear_text_credentials", C::kSecurity},
    {NDPI_DNS_LARGE_PACKET, 64, "ndpi_dns_large_packet", C::kSecurity},
    {NDPI_DNS_FRAGMENTED, 65, "ndpi_dns_fragmented", C::kSecurity},
    {NDPI_INVALID_CHARACTERS, 66, "ndpi_invalid_characters", C::kSecurity},
    {NDPI_POSSIBLE_EXPLOIT, 68, "ndpi_possible_exploit", C::kSecurity},
    {NDPI_TLS_CERTIFICATE_ABOUT_TO_EXPIRE, 69, "ndpi_tls_certificate_about_to_expire",
     C::kSecurity},
};
constexpr bool everyRiskOnce() {
  for (int r = 1; r < NDPI_MAX_RISK; ++r) {
    int n = 0;
    for (const RiskAlert& a : kRiskAlerts) n += a.risk == r;
    if (n != 1) return false;
  }
  return std::size(kRiskAlerts) == NDPI_MAX_RISK - 1;
}
static_assert(everyRiskOnce(), "one alert for each nDPI risk, and nothing else");

FlowAlertType fromRisk(const RiskAlert& r) {
  // ntopng's score of a risk alert: nDPI's, client and server parts together, at most 250.
  const int score = std::min(DpiCatalog::riskScore(r.risk), kScoreEmergency);
  return {r.id, r.key, r.category, score, static_cast<int>(r.risk)};
}

}  // namespace

Severity severityOfScore(int64_t score) {
  if (score < kScoreInfo) return Severity::kNone;
  if (score < kScoreNotice) return Severity::kInfo;
  if (score < kScoreWarning) return Severity::kNotice;
  if (score < kScoreError) return Severity::kWarning;
  if (score < kScoreCritical) return Severity::kError;
  if (score < kScoreEmergency) return Severity::kCritical;
  return Severity::kEmergency;
}

int scoreOfSeverity(int64_t severity) {
  if (severity <= static_cast<int>(Severity::kInfo)) return kScoreInfo;
  switch (static_cast<Severity>(severity)) {
    case Severity::kNotice: return kScoreNotice;
    case Severity::kWarning: return kScoreWarning;
    case Severity::kError: return kScoreError;
    case Severity::kCritical: return kScoreCritical;
    case Severity::kAlert:
    case Severity::kEmergency: return kScoreEmergency;
    default: return kScoreSevere;  // beyond ntopng's levels, as ntopng answers
  }
}

std::optional<FlowAlertType> flowAlertType(int64_t id) {
  for (const FlowAlertType& t : kOtherAlerts) {
    if (t.id == id) return t;
  }
  for (const RiskAlert& r : kRiskAlerts) {
    if (r.id == id) return fromRisk(r);
  }
  return std::nullopt;
}

std::optional<FlowAlertType> flowAlertOfRisk(int64_t risk) {
  for (const RiskAlert& r : kRiskAlerts) {
    if (r.risk == risk) return fromRisk(r);
  }
  return std::nullopt;
}

std::vector<FlowAlertType> riskAlertTypes() {
  std::vector<FlowAlertType> out;
  for (const RiskAlert& r : kRiskAlerts) out.push_back(fromRisk(r));
  return out;
}

}  // namespace flowlens::dpi

#pragma once
// ntopng's flow alert types (FlowAlertTypeEnum) and alert severities, with the nDPI 4.2 risk
// each risk alert stands for: the facts behind spec sections 27 (score / severity) and 31
// (risks). Constant data plus nDPI's own risk scores; thread-safe.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace flowlens::dpi {

// ntopng's AlertLevel.
enum class Severity : int {
  kNone = 0, kDebug = 1, kInfo = 2, kNotice = 3, kWarning = 4, kError = 5, kCritical = 6,
  kAlert = 7, kEmergency = 8,
};

// ntopng's score levels (nDPI's NDPI_SCORE_RISK_* where nDPI has them).
inline constexpr int kScoreInfo = 1, kScoreNotice = 10, kScoreWarning = 50, kScoreError = 100,
                     kScoreSevere = 150, kScoreCritical = 200, kScoreEmergency = 250;

// ntopng's AlertCategory.
enum class AlertCategory : int { kOther = 0, kSecurity = 1, kInternals = 2, kNetwork = 3 };

struct FlowAlertType {
  int id = 0;
  std::string_view key;  // ntopng's check / alert key ("ndpi_url_possible_xss")
  AlertCategory category = AlertCategory::kOther;
  int score = 0;  // the default score: nDPI's for a risk alert (client + server)
  int risk = 0;   // the nDPI risk the alert stands for; 0 for other alerts
};

// nDPI 4.2's ids of the protocols ntopng's unexpected-server checks look at (alerts/
// server_checks.h), and whether a flow of that master / application protocol is one of them.
inline constexpr uint16_t kProtoSmtp = 3, kProtoDns = 5, kProtoNtp = 9, kProtoDhcp = 18,
                          kProtoSmtps = 29;
// The checks' kinds as bits: DNS 1, NTP 2, SMTP (and SMTPS) 4, DHCP 8; 0 for other protocols.
inline uint8_t serverCheckBit(uint16_t master, uint16_t app) {
  const auto is = [&](uint16_t p) { return master == p || app == p; };
  if (is(kProtoDns)) return 1;
  if (is(kProtoNtp)) return 2;
  if (is(kProtoSmtp) || is(kProtoSmtps)) return 4;
  if (is(kProtoDhcp)) return 8;
  return 0;
}

// ntopng's mapping both ways (Utils::mapScoreToSeverity / mapSeverityToScore).
Severity severityOfScore(int64_t score);
int scoreOfSeverity(int64_t severity);

// The alert type with this id; nullopt for ids ntopng leaves unused or does not define.
std::optional<FlowAlertType> flowAlertType(int64_t id);
// The alert type of an nDPI risk; nullopt for risks with no alert (0, out of range).
std::optional<FlowAlertType> flowAlertOfRisk(int64_t risk);
// Every risk alert type, by risk.
std::vector<FlowAlertType> riskAlertTypes();

}  // namespace flowlens::dpi

#include "pledged/email/email_message.hpp"

#include <cstdio>
#include <ctime>
#include <string_view>
#include <utility>
#include <vector>

#include "pledged/domain/money.hpp"

namespace pledged::email {
namespace {

std::string base64_lines(const std::string& bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t on_line = 0;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const auto byte = [&](std::size_t k) { return k < bytes.size() ? static_cast<unsigned char>(bytes[k]) : 0u; };
    const unsigned triple = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += kAlphabet[(triple >> 18) & 63];
    out += kAlphabet[(triple >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(triple >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[triple & 63] : '=';
    if ((on_line += 4) == 76) {
      out += "\r\n";
      on_line = 0;
    }
  }
  if (on_line > 0) out += "\r\n";
  return out;
}

// Header text: ASCII as it is, anything else as one RFC 2047 encoded word. Config
// refused control characters already; they are dropped here too, for the record.
std::string header_text(const std::string& text) {
  std::string clean;
  bool ascii = true;
  for (const unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) continue;
    if (c >= 0x80) ascii = false;
    clean += static_cast<char>(c);
  }
  if (ascii) return clean;
  std::string encoded = base64_lines(clean);
  encoded.erase(encoded.find_last_not_of("\r\n") + 1);
  std::string one_line;
  for (const char c : encoded) {
    if (c != '\r' && c != '\n') one_line += c;
  }
  return "=?UTF-8?B?" + one_line + "?=";
}

// Donor-entered text in a plain-text body: on one line.
std::string one_line(const std::string& text) {
  std::string out;
  for (const unsigned char c : text) out += (c < 0x20 || c == 0x7f) ? ' ' : static_cast<char>(c);
  return out;
}

std::string html_escape(const std::string& text) {
  std::string out;
  for (const char c : one_line(text)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string format_date(Timestamp t) { return format_rfc3339(t).substr(0, 10); }

std::string rfc5322_date(Timestamp t) {
  const std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char rest[32];
  std::snprintf(rest, sizeof rest, "%02d %s %04d %02d:%02d:%02d +0000", utc.tm_mday, kMonths[utc.tm_mon],
                utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return std::string(kDays[utc.tm_wday]) + ", " + rest;
}

// The lines both parts say, as (label, value); the value is donor text unescaped.
struct Body {
  std::string subject;
  std::string opening;
  std::vector<std::pair<std::string, std::string>> facts;
  std::string link;           // a sign-in email's link, "" otherwise
  bool tells_of_gift = true;  // a receipt's words on goods and services
};

// The sign-in email (issue 17): the link, how long it works, and what to do if the
// donor did not ask for it. No money, so no receipt language.
Body sign_in_body(const OutboxEmail& row, const Organisation& organisation) {
  Body body;
  body.subject = "Your sign-in link for " + organisation.name;
  body.opening = "Here is your link to see and manage your gifts to " + organisation.name +
                 ". It works once, for 30 minutes. If you did not ask for it, ignore this email: "
                 "nobody can sign in without it.";
  body.link = row.summary;
  body.tells_of_gift = false;
  return body;
}

Body body_of(const OutboxEmail& row, const Organisation& organisation) {
  if (row.kind == "donor_link") return sign_in_body(row, organisation);
  const std::string amount = display_amount(row.amount, row.currency);
  Body body;
  if (row.kind == "statement") {
    // A statement's year is the one its row is dated in (1 January); its figures are in the PDF.
    const std::string year = format_date(row.occurred_at).substr(0, 4);
    body.subject = "Your " + year + " statement of giving to " + organisation.name;
    body.opening = "Thank you for your gifts to " + organisation.name + " in " + year +
                   ". Your statement of the year is attached as a PDF.";
    body.facts = {{"Year", year}, {"Total, net of refunds", row.summary}};
  } else if (row.kind == "refund_notice") {
    body.subject = "Refund of your gift to " + organisation.name;
    body.opening = "Your gift to " + organisation.name + " has been refunded.";
    body.facts = {{"Refunded in total", amount}, {"Refund date", format_date(row.occurred_at)}};
  } else {
    body.subject = "Your receipt for your gift to " + organisation.name;
    body.opening = "Thank you for your gift to " + organisation.name + ".";
    body.facts = {{"Amount", amount}, {"Date", format_date(row.occurred_at)}};
  }
  if (row.kind != "statement") body.facts.emplace_back("Campaign", row.campaign_title);
  body.facts.emplace_back("Donor", row.donor_name.empty() ? row.recipient : row.donor_name + ", " + row.recipient);
  body.facts.emplace_back("Organisation", organisation.name);
  if (!organisation.tax_id.empty()) body.facts.emplace_back("Tax id", organisation.tax_id);
  if (!organisation.address.empty()) body.facts.emplace_back("Address", organisation.address);
  if (row.kind != "statement") body.facts.emplace_back("Receipt number", std::to_string(row.id));
  return body;
}

std::string plain_part(const Body& body) {
  std::string text = body.opening + "\r\n\r\n";
  if (!body.link.empty()) text += one_line(body.link) + "\r\n";
  for (const auto& [label, value] : body.facts) text += label + ": " + one_line(value) + "\r\n";
  return body.tells_of_gift ? text + "\r\n" + kNoGoodsOrServices + "\r\n" : text;
}

std::string html_part(const Body& body) {
  std::string html = "<!doctype html><html><body><p>" + html_escape(body.opening) + "</p>";
  if (!body.link.empty()) html += "<p><a href=\"" + html_escape(body.link) + "\">Sign in to see your gifts</a></p>";
  html += "<table>";
  for (const auto& [label, value] : body.facts) {
    html += "<tr><th align=\"left\">" + html_escape(label) + "</th><td>" + html_escape(value) + "</td></tr>";
  }
  html += "</table>";
  if (body.tells_of_gift) html += std::string("<p>") + kNoGoodsOrServices + "</p>";
  return html + "</body></html>\r\n";
}

}  // namespace

bool is_plain_address(const std::string& address) {
  if (address.size() < 3 || address.size() > 254) return false;
  const auto at = address.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == address.size() ||
      address.find('@', at + 1) != std::string::npos) {
    return false;
  }
  for (const unsigned char c : address) {
    if (c <= 0x20 || c >= 0x7f) return false;
    if (std::string_view("<>()[]\\,;:\"").find(static_cast<char>(c)) != std::string_view::npos) return false;
  }
  return true;
}

std::string address_of(const std::string& mailbox) {
  const auto open = mailbox.rfind('<');
  const auto close = mailbox.rfind('>');
  if (open != std::string::npos && close != std::string::npos && close > open) {
    return mailbox.substr(open + 1, close - open - 1);
  }
  return mailbox;
}

std::optional<EmailMessage> compose_email(const OutboxEmail& row, const Organisation& organisation, Timestamp now) {
  if (!is_plain_address(row.recipient)) return std::nullopt;
  EmailMessage message;
  message.envelope_from = address_of(organisation.mail_from);
  message.recipient = row.recipient;
  const auto at = message.envelope_from.find('@');
  const std::string domain = at == std::string::npos ? "localhost" : message.envelope_from.substr(at + 1);
  const auto created = std::chrono::duration_cast<std::chrono::seconds>(row.created_at.time_since_epoch()).count();
  message.message_id =
      "<pledged." + row.kind + "." + std::to_string(row.id) + "." + std::to_string(created) + "@" + domain + ">";

  const Body body = body_of(row, organisation);
  const std::string boundary = "=_pledged_" + std::to_string(row.id);
  const auto from_name_end = organisation.mail_from.rfind('<');
  const std::string from =
      from_name_end == std::string::npos || from_name_end == 0
          ? message.envelope_from
          : header_text(organisation.mail_from.substr(0, from_name_end)) + "<" + message.envelope_from + ">";
  std::string& data = message.data;
  data += "From: " + from + "\r\n";
  data += "To: <" + row.recipient + ">\r\n";
  data += "Subject: " + header_text(body.subject) + "\r\n";
  data += "Date: " + rfc5322_date(now) + "\r\n";
  data += "Message-ID: " + message.message_id + "\r\n";
  data += "MIME-Version: 1.0\r\n";
  // With an attachment: multipart/mixed, the text and HTML alternatives first, then the file.
  const std::string mixed = "=_pledged_mixed_" + std::to_string(row.id);
  if (!row.attachment.empty()) {
    data += "Content-Type: multipart/mixed; boundary=\"" + mixed + "\"\r\n\r\n--" + mixed + "\r\n";
  }
  data += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  data += "--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  data += base64_lines(plain_part(body));
  data += "--" + boundary + "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  data += base64_lines(html_part(body));
  data += "--" + boundary + "--\r\n";
  if (!row.attachment.empty()) {
    // The name is the outbox's (checked to [A-Za-z0-9._-] by migration 0010): safe in a header.
    data += "--" + mixed + "\r\nContent-Type: application/pdf; name=\"" + row.attachment_name +
            "\"\r\nContent-Disposition: attachment; filename=\"" + row.attachment_name +
            "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    data += base64_lines(row.attachment);
    data += "--" + mixed + "--\r\n";
  }
  return message;
}

}  // namespace pledged::email

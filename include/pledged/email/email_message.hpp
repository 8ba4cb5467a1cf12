#pragma once
// A donor email as SMTP carries it: envelope and RFC 5322 message (multipart text + HTML).
#include <optional>
#include <string>

#include "pledged/core/time.hpp"
#include "pledged/db/email_outbox_repository.hpp"
#include "pledged/domain/organisation.hpp"

namespace pledged::email {

// The organisation as receipts name it (PLEDGED_ORG_*) and who sends (PLEDGED_MAIL_FROM).
struct Organisation : pledged::Organisation {
  std::string mail_from;  // `Name <address>` or a bare address
};

struct EmailMessage {
  std::string envelope_from;  // bare address
  std::string recipient;      // bare address: the one RCPT, whatever the message says
  std::string message_id;     // <...>, the same for every try of one outbox row
  std::string data;           // headers and body, CRLF line ends
};

// A plain address (local@domain, no spaces, brackets, quotes or control characters):
// the only shape let into the envelope and the To header, so no donor-entered text
// can add a recipient or a header.
bool is_plain_address(const std::string& address);

// The address inside `Name <address>`, or the text itself.
std::string address_of(const std::string& mailbox);

// nullopt when the row's recipient is no plain address (nothing could ever send it).
std::optional<EmailMessage> compose_email(const OutboxEmail& row, const Organisation& organisation, Timestamp now);

}  // namespace pledged::email

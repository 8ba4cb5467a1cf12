#pragma once
// What staff need to see that donor emails leave (GET /v1/reports/emails/health): how
// many are queued, sent and failed, and the last failures (time, kind, error class;
// never an address or a body). No HTTP here.
#include "pledged/core/result.hpp"
#include "pledged/db/email_outbox_repository.hpp"

namespace pledged {

class EmailOutboxHealthCheck {
 public:
  explicit EmailOutboxHealthCheck(EmailOutboxRepository& outbox) : outbox_(outbox) {}

  Result<OutboxHealth> now() { return outbox_.health(); }

 private:
  EmailOutboxRepository& outbox_;
};

}  // namespace pledged

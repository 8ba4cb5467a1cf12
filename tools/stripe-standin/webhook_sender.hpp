#pragma once
// Delivers one event the way Stripe does: POST of the JSON with a Stripe-Signature
// header (t=<unix time>,v1=<HMAC-SHA256 of "t.body">). Test/demo tool only.
#include <string>

namespace standin {

struct Delivery {
  std::string event_id;
  int status = 0;  // 0: no answer
  std::string error;
};

Delivery deliver_event(const std::string& url, const std::string& secret, const std::string& event_id,
                       const std::string& body);

}  // namespace standin

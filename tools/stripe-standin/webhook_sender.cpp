#include "webhook_sender.hpp"

#include <curl/curl.h>

#include <ctime>

#include "pledged/webhooks/stripe_signature.hpp"

namespace standin {
namespace {

std::size_t discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }

}  // namespace

Delivery deliver_event(const std::string& url, const std::string& secret, const std::string& event_id,
                       const std::string& body) {
  Delivery delivery{event_id, 0, ""};
  const long long timestamp = static_cast<long long>(std::time(nullptr));
  const std::string signature = "Stripe-Signature: t=" + std::to_string(timestamp) +
                                ",v1=" + pledged::webhooks::stripe_v1_signature(secret, timestamp, body);
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json; charset=utf-8");
  headers = curl_slist_append(headers, signature.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "Stripe/1.0 (+https://stripe.com/docs/webhooks) pledged-stripe-standin");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  const CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    delivery.status = static_cast<int>(status);
  } else {
    delivery.error = curl_easy_strerror(code);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return delivery;
}

}  // namespace standin

#include "pledged/stripe/event_list_client.hpp"

#include <curl/curl.h>

#include <memory>
#include <nlohmann/json.hpp>

namespace pledged {
namespace {

constexpr long kConnectTimeoutMs = 5000;
constexpr long kTotalTimeoutMs = 30000;

size_t append_body(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

std::string escape(CURL* curl, const std::string& value) {
  std::unique_ptr<char, decltype(&curl_free)> escaped(
      curl_easy_escape(curl, value.c_str(), static_cast<int>(value.size())), curl_free);
  return escaped ? escaped.get() : "";
}

}  // namespace

Result<EventPage> fetch_event_page(const EventListRequest& request) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return make_error(ErrorCode::internal, "curl_easy_init failed");
  std::string url = request.api_base + "/v1/events?limit=100&" + escape(curl.get(), "created[gte]") + "=" +
                    std::to_string(request.created_since.time_since_epoch().count());
  if (!request.starting_after.empty()) url += "&starting_after=" + escape(curl.get(), request.starting_after);

  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(
      curl_slist_append(nullptr, ("Authorization: Bearer " + request.secret_key).c_str()), curl_slist_free_all);
  std::string body;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, kTotalTimeoutMs);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  const CURLcode code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) {
    return make_error(ErrorCode::unavailable, std::string("Stripe unreachable: ") + curl_easy_strerror(code));
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return make_error(ErrorCode::unavailable, "Stripe answered " + std::to_string(status));

  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object() || !json.contains("data") || !json["data"].is_array()) {
    return make_error(ErrorCode::unavailable, "Stripe's event list is not a list");
  }
  EventPage page;
  for (const auto& event : json["data"]) page.events.push_back(event.dump());
  page.has_more = json.value("has_more", false);
  return page;
}

}  // namespace pledged

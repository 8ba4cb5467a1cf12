#include "pledged/email/smtp_transport.hpp"

#include <curl/curl.h>

#include <cstring>
#include <memory>
#include <mutex>

namespace pledged::email {
namespace {

struct Upload {
  const std::string* data;
  std::size_t sent = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t room = size * count;
  const std::size_t left = upload->data->size() - upload->sent;
  const std::size_t n = left < room ? left : room;
  std::memcpy(buffer, upload->data->data() + upload->sent, n);
  upload->sent += n;
  return n;
}

int abort_when_cancelled(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* cancel = static_cast<const std::atomic<bool>*>(user);
  return cancel != nullptr && cancel->load() ? 1 : 0;
}

}  // namespace

SmtpTransport::SmtpTransport(SmtpOptions options, const std::atomic<bool>* cancel)
    : options_(std::move(options)), cancel_(cancel) {
  static std::once_flag curl_initialised;
  std::call_once(curl_initialised, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Status SmtpTransport::send(const EmailMessage& message) const {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return make_error(ErrorCode::unavailable, "smtp: cannot create a curl handle");
  curl_slist* recipients = curl_slist_append(nullptr, ("<" + message.recipient + ">").c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipients_owner(recipients, curl_slist_free_all);
  const std::string from = "<" + message.envelope_from + ">";
  Upload upload{&message.data};
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  // smtps:// is TLS from the start; on smtp://, STARTTLS whenever the server offers it.
  curl_easy_setopt(handle, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
  curl_easy_setopt(handle, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(handle, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(handle, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(handle, CURLOPT_READDATA, &upload);
  curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.data.size()));
  curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, abort_when_cancelled);
  curl_easy_setopt(handle, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(cancel_));
  const CURLcode code = curl_easy_perform(handle);
  if (code == CURLE_OK) return Status::success();
  long reply = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &reply);
  // curl_easy_strerror names the failure only: never the URL, its credentials or an address.
  return make_error(ErrorCode::unavailable, std::string("smtp: ") + curl_easy_strerror(code) +
                                                (reply != 0 ? " (server reply " + std::to_string(reply) + ")" : ""));
}

}  // namespace pledged::email

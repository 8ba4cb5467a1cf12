#include "donor_page.hpp"

#include "pledged/domain/money.hpp"
#include "pledged/domain/statement.hpp"
#include "pledged/http/page_template.hpp"

namespace pledged {
namespace {

std::string head(const std::string& title) {
  return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
         html_escape(title) +
         "</title>\n<link rel=\"icon\" href=\"data:,\">\n<link rel=\"stylesheet\" href=\"/static/pages.css\">\n"
         "</head>\n<body>\n";
}

std::string date_of(Timestamp t) { return format_rfc3339(t).substr(0, 10); }

std::string csrf_field(const std::string& csrf_token) {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + html_escape(csrf_token) + "\">";
}

std::string monthly_status(const DonorMonthlyGift& gift) {
  if (gift.status == "canceled") return "Canceled.";
  if (gift.ends_at_period_end) {
    return gift.period_end ? "Ends on " + date_of(*gift.period_end) + "; no further charges."
                           : "Ends at the period's end.";
  }
  if (gift.status == "active") {
    return gift.period_end ? "Active. Next charge on " + date_of(*gift.period_end) + "." : "Active.";
  }
  return "Status: " + gift.status + ".";
}

std::string monthly_section(const DonorAccount& account, const std::string& csrf_token) {
  std::string html = "<section aria-labelledby=\"monthly-heading\">\n<h2 id=\"monthly-heading\">Monthly gifts</h2>\n";
  if (account.monthly.empty()) return html + "<p>You have no monthly gifts.</p>\n</section>\n";
  html += "<ul class=\"monthly-gifts\">\n";
  for (const auto& gift : account.monthly) {
    html += "<li class=\"monthly-gift\" data-pledge=\"" + html_escape(gift.pledge_id) +
            "\"><p><strong class=\"amount\">" + html_escape(display_amount(gift.amount, gift.currency)) +
            "</strong> a month to " + html_escape(gift.campaign) + ". <span class=\"state\">" +
            html_escape(monthly_status(gift)) + "</span></p>";
    if (gift.can_manage && gift.status != "canceled") {
      html += "<form method=\"post\" action=\"/v1/donor/portal\">" + csrf_field(csrf_token) +
              "<input type=\"hidden\" name=\"pledge\" value=\"" + html_escape(gift.pledge_id) +
              "\"><button type=\"submit\" aria-label=\"Manage the monthly gift to " + html_escape(gift.campaign) +
              "\">Manage</button></form>";
    }
    html += "</li>\n";
  }
  return html +
         "</ul>\n<p class=\"fine\">Manage opens our payment provider's page: change your card or your "
         "amount, or cancel.</p>\n</section>\n";
}

std::string year_table(const DonorYear& year) {
  const std::string y = std::to_string(year.year);
  std::string html = "<h3 id=\"year-" + y + "\">" + y + "</h3>\n<table class=\"gifts\" aria-labelledby=\"year-" + y +
                     "\">\n<thead><tr><th scope=\"col\">Date</th><th scope=\"col\">Campaign</th>"
                     "<th scope=\"col\">What</th><th scope=\"col\">Amount</th></tr></thead>\n<tbody>\n";
  for (const auto& movement : year.movements) {
    std::string what = statement_line_label(movement.kind);
    if (movement.kind == "payment" && movement.frequency == "monthly") what += " (monthly)";
    html += "<tr><td>" + date_of(movement.occurred_at) + "</td><td>" + html_escape(movement.campaign) + "</td><td>" +
            html_escape(what) + "</td><td class=\"amount\">" +
            html_escape(display_amount(movement.amount, movement.currency)) + "</td></tr>\n";
  }
  html += "</tbody>\n</table>\n<p><a class=\"statement\" href=\"/v1/donor/statements/" + y + ".pdf\">Statement for " +
          y + " (PDF)</a></p>\n";
  return html;
}

}  // namespace

std::string donor_account_page(const DonorAccount& account, const std::string& csrf_token, const std::string& notice) {
  std::string html =
      head("Your gifts") + "<main class=\"page\" id=\"donor-account\">\n<h1>Your gifts</h1>\n<p>Signed in as " +
      html_escape(account.name.empty() ? account.email : account.name + " (" + account.email + ")") + ".</p>\n";
  if (!notice.empty()) html += "<p class=\"notice\" role=\"status\">" + html_escape(notice) + "</p>\n";
  html += monthly_section(account, csrf_token);
  html += "<section aria-labelledby=\"gifts-heading\">\n<h2 id=\"gifts-heading\">Gifts by year</h2>\n";
  if (account.years.empty()) html += "<p>No gifts yet.</p>\n";
  for (const auto& year : account.years) html += year_table(year);
  html += "<form method=\"post\" action=\"/v1/donor/receipts\">" + csrf_field(csrf_token) +
          "<button type=\"submit\" id=\"resend-receipts\">Email me my receipts again</button></form>\n</section>\n";
  html += "<form method=\"post\" action=\"/v1/donor/sign-out\">" + csrf_field(csrf_token) +
          "<button type=\"submit\" id=\"sign-out\">Sign out</button></form>\n</main>\n</body>\n</html>\n";
  return html;
}

std::string donor_link_invalid_page() {
  return head("Sign-in link no longer valid") +
         "<main class=\"page\" id=\"donor-link-invalid\">\n<h1>This sign-in link no longer works</h1>\n"
         "<p>A link works once, for 30 minutes. <a href=\"/donor\">Ask for a new one</a>.</p>\n</main>\n</body>\n"
         "</html>\n";
}

std::string donor_return_page() {
  std::string html = head("Your gifts");
  html.insert(html.find("</head>"), "<meta http-equiv=\"refresh\" content=\"0; url=/donor/account\">\n");
  return html +
         "<main class=\"page\">\n<p><a href=\"/donor/account\">Back to your gifts</a></p>\n</main>\n</body>\n"
         "</html>\n";
}

}  // namespace pledged

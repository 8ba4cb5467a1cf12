#include "pledged/pdf/statement_pdf.hpp"

#include <hpdf.h>

#include <memory>
#include <vector>

#include "pledged/domain/money.hpp"

namespace pledged {
namespace {

constexpr HPDF_REAL kPageWidth = 612;  // US Letter, in points
constexpr HPDF_REAL kPageHeight = 792;
constexpr HPDF_REAL kMargin = 56;
constexpr HPDF_REAL kLine = 15;
constexpr HPDF_REAL kTextSize = 10;
// Table columns: date, campaign, what, amount (right-aligned at the margin).
constexpr HPDF_REAL kCampaignX = kMargin + 72;
constexpr HPDF_REAL kKindX = kMargin + 320;

// libharu reports errors through a callback; the first one is kept and the document dropped.
void on_error(HPDF_STATUS error, HPDF_STATUS detail, void* user) {
  auto* first = static_cast<HPDF_STATUS*>(user);
  // Reading the finished document back to its end is no failure.
  if (error == HPDF_STREAM_EOF) return;
  if (*first == 0) *first = error != 0 ? error : detail;
}

// The standard fonts speak WinAnsi (Windows-1252): Latin-1 letters and the usual
// typographic marks are kept, control characters dropped, anything else becomes '?'.
char win_ansi_of(unsigned code) {
  if (code >= 0xa0 && code <= 0xff) return static_cast<char>(code);
  if (code >= 0x20 && code < 0x7f) return static_cast<char>(code);
  switch (code) {
    case 0x20ac: return '\x80';  // euro sign
    case 0x2026: return '\x85';  // ellipsis
    case 0x2018: return '\x91';
    case 0x2019: return '\x92';
    case 0x201c: return '\x93';
    case 0x201d: return '\x94';
    case 0x2013: return '\x96';  // en dash
    case 0x2014: return '\x97';  // em dash
    default: return code < 0x20 || (code >= 0x7f && code < 0xa0) ? '\0' : '?';
  }
}

std::string win_ansi(const std::string& utf8) {
  std::string out;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    std::size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    unsigned code = length == 1 ? c : length == 2 ? (c & 0x1fu) : length == 3 ? (c & 0x0fu) : (c & 0x07u);
    if (length == 0 || i + length > utf8.size()) {
      code = '?';  // not UTF-8
      length = 1;
    }
    for (std::size_t k = 1; k < length; ++k) code = (code << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3fu);
    if (const char mapped = win_ansi_of(code); mapped != '\0') out += mapped;
    i += length;
  }
  return out;
}

class StatementDocument {
 public:
  explicit StatementDocument(HPDF_Doc doc) : doc_(doc) {
    HPDF_SetCompressionMode(doc_, HPDF_COMP_ALL);
    regular_ = HPDF_GetFont(doc_, "Helvetica", "WinAnsiEncoding");
    bold_ = HPDF_GetFont(doc_, "Helvetica-Bold", "WinAnsiEncoding");
    new_page();
  }

  // Text at x on the current line, cut to fit `width`.
  void text(HPDF_REAL x, const std::string& utf8, HPDF_REAL width, bool strong = false, HPDF_REAL size = kTextSize) {
    std::string line = win_ansi(utf8);
    HPDF_Page_SetFontAndSize(page_, strong ? bold_ : regular_, size);
    while (!line.empty() && HPDF_Page_TextWidth(page_, line.c_str()) > width) line.pop_back();
    HPDF_Page_BeginText(page_);
    HPDF_Page_TextOut(page_, x, y_, line.c_str());
    HPDF_Page_EndText(page_);
  }
  void right_aligned(const std::string& ascii, bool strong = false) {
    HPDF_Page_SetFontAndSize(page_, strong ? bold_ : regular_, kTextSize);
    text(kPageWidth - kMargin - HPDF_Page_TextWidth(page_, ascii.c_str()), ascii, kPageWidth, strong);
  }
  void next_line(HPDF_REAL lines = 1) {
    y_ -= kLine * lines;
    if (y_ < kMargin) new_page();
  }
  HPDF_REAL full_width() const { return kPageWidth - 2 * kMargin; }

 private:
  void new_page() {
    page_ = HPDF_AddPage(doc_);
    HPDF_Page_SetSize(page_, HPDF_PAGE_SIZE_LETTER, HPDF_PAGE_PORTRAIT);
    y_ = kPageHeight - kMargin;
  }

  HPDF_Doc doc_;
  HPDF_Font regular_ = nullptr;
  HPDF_Font bold_ = nullptr;
  HPDF_Page page_ = nullptr;
  HPDF_REAL y_ = 0;
};

void write_statement(StatementDocument& out, const DonorStatement& statement, const Organisation& organisation) {
  const auto width = out.full_width();
  out.text(kMargin, "Statement of giving " + std::to_string(statement.year), width, true, 18);
  out.next_line(2);
  out.text(kMargin, organisation.name, width, true);
  if (!organisation.address.empty()) {
    out.next_line();
    out.text(kMargin, organisation.address, width);
  }
  if (!organisation.tax_id.empty()) {
    out.next_line();
    out.text(kMargin, "Tax id: " + organisation.tax_id, width);
  }
  out.next_line(2);
  out.text(kMargin, "Donor: " + (statement.name.empty() ? statement.email : statement.name + ", " + statement.email),
           width);
  out.next_line();
  out.text(kMargin, "Gifts received from 1 January to 31 December " + std::to_string(statement.year) + " (UTC)", width);
  out.next_line(2);
  out.text(kMargin, "Date", width, true);
  out.text(kCampaignX, "Campaign", width, true);
  out.right_aligned("Amount", true);
  for (const auto& line : statement.lines) {
    out.next_line();
    out.text(kMargin, line.date, kCampaignX - kMargin);
    out.text(kCampaignX, line.campaign, kKindX - kCampaignX - 8);
    out.text(kKindX, statement_line_label(line.kind), 90);
    out.right_aligned(display_amount(line.amount, line.currency));
  }
  out.next_line(2);
  for (const auto& total : statement_totals(statement)) {
    out.text(kMargin, "Total for " + std::to_string(statement.year) + ", net of refunds:", width, true);
    out.right_aligned(display_amount(total.amount, total.currency), true);
    out.next_line();
  }
  out.next_line();
  out.text(kMargin, kNoGoodsOrServices, width);
}

}  // namespace

Result<std::string> render_statement_pdf(const DonorStatement& statement, const Organisation& organisation) {
  HPDF_STATUS error = 0;
  std::unique_ptr<std::remove_pointer_t<HPDF_Doc>, decltype(&HPDF_Free)> doc(HPDF_New(on_error, &error), HPDF_Free);
  if (!doc) return make_error(ErrorCode::internal, "pdf: cannot create a document");
  StatementDocument out(doc.get());
  write_statement(out, statement, organisation);
  if (error == 0) HPDF_SaveToStream(doc.get());
  std::string bytes(error == 0 ? HPDF_GetStreamSize(doc.get()) : 0, '\0');
  HPDF_UINT32 size = static_cast<HPDF_UINT32>(bytes.size());
  if (error == 0) HPDF_ReadFromStream(doc.get(), reinterpret_cast<HPDF_BYTE*>(bytes.data()), &size);
  if (error != 0) return make_error(ErrorCode::internal, "pdf: libharu error " + std::to_string(error));
  bytes.resize(size);
  return bytes;
}

}  // namespace pledged
